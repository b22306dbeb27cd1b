"""The `user` commands: add, list, set-role, set-password and remove, each audited."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments_service.store.database import database
from comments_service.store.models import AuditEntry, Role, User

from .helpers import login


def _run(runner: FlaskCliRunner, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(args=["user", *args], input=stdin)
    return result.exit_code, result.output


def test_the_user_commands_manage_an_account(runner: FlaskCliRunner, app: Flask) -> None:
    assert (
        _run(
            runner,
            "add",
            "bea",
            "--role",
            "author",
            "--display-name",
            "Bea B",
            "--password-stdin",
            stdin="pass word 1\n",
        )[0]
        == 0
    )
    assert _run(runner, "add", "admin", "--role", "admin", "--password-stdin", stdin="pass word 2\n")[0] == 0
    code, out = _run(runner, "list")
    assert code == 0 and out.splitlines() == ["admin\tadmin\tadmin", "bea\tauthor\tBea B"]
    assert _run(runner, "set-role", "bea", "moderator") == (0, "bea is now moderator.\n")
    assert _run(runner, "set-password", "bea", "--password-stdin", stdin="nieuw wachtwoord\n")[0] == 0
    login(app.test_client(), "bea", "nieuw wachtwoord")
    assert _run(runner, "remove", "bea") == (0, "Removed bea.\n")
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert [u.username for u in session.scalars(select(User))] == ["admin"]
        log = [(e.username, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert log == [
        ("(command line)", "account-create"),
        ("(command line)", "account-create"),
        ("(command line)", "account-role"),
        ("(command line)", "account-password"),
        ("(command line)", "account-remove"),
    ]


def test_the_user_commands_explain_mistakes(runner: FlaskCliRunner, app: Flask) -> None:
    assert _run(runner, "add", "solo", "--role", "admin", "--password-stdin", stdin="lang genoeg\n")[0] == 0
    mistakes = [
        (("add", "solo", "--password-stdin"), "lang genoeg\n", "already exists"),
        (("add", "kort", "--password-stdin"), "kort\n", "at least 8 characters"),
        (("set-role", "solo", "moderator"), None, "last admin"),
        (("remove", "solo"), None, "last admin"),
        (("remove", "niemand"), None, "no account named 'niemand'"),
        (("set-password", "solo", "--password-stdin"), "kort\n", "at least 8 characters"),
    ]
    for args, stdin, message in mistakes:
        code, out = _run(runner, *args, stdin=stdin)
        assert code == 1 and message in out and "Traceback" not in out, (args, out)
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert [(u.username, u.role) for u in session.scalars(select(User))] == [("solo", Role.ADMIN)]
