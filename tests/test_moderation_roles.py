"""Roles: authors moderate only their own posts' threads; admins alone manage accounts and see the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments_service.store.database import database
from comments_service.store.models import AuditEntry, AuthSession, Comment, Role, State, Thread, User

from .helpers import add_account, login, moderation_token

JSON = {"Accept": "application/json"}


@pytest.fixture
def site_dir(site_dir: Path) -> Path:
    """The demo site plus an open post by a second author."""
    (site_dir / "content" / "gast.md").write_text(
        "Title: Gastpost\nDate: 2009-07-02 09:00\nAuthor: Jan Gast\nCategory: Sales\nSlug: gast-post\n\nEen gast.\n",
        encoding="utf-8",
    )
    return site_dir


def _submit(client: FlaskClient, slug: str, body: str) -> int:
    response = client.post(f"/comments/{slug}/", data={"author": "Piet", "body": body}, headers=JSON)
    assert response.status_code == 202
    return int(response.get_json()["id"])


def _state(app: Flask, comment_id: int) -> State:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        return comment.state


def test_an_author_sees_and_moderates_only_their_own_threads(client: FlaskClient, app: Flask) -> None:
    own, other = _submit(client, "open-post", "Voor Rikkert"), _submit(client, "gast-post", "Voor Jan")
    add_account(app, "rikkert", Role.AUTHOR, display_name="Rikkert Walbeek")
    login(client, "rikkert")
    token = moderation_token(client)
    html = client.get("/moderate/").get_data(as_text=True)
    assert f'id="queue-{own}"' in html and f'id="queue-{other}"' not in html
    assert "pending (1)" in html and "Gastpost" not in html
    refusals = [
        client.post(f"/moderate/comments/{other}/approve", data={"csrf_token": token}),
        client.post(f"/moderate/comments/{other}/edit", data={"csrf_token": token, "body": "Anders"}),
        client.post(f"/moderate/comments/{other}/reply", data={"csrf_token": token, "body": "Hoi"}),
        client.post("/moderate/bulk", data={"csrf_token": token, "ids": [own, other], "action": "approve"}),
        client.post("/moderate/threads/gast-post/close", data={"csrf_token": token}),
        client.get(f"/moderate/comments/{other}"),
        client.get("/moderate/threads/gast-post"),
        client.get("/moderate/?post=gast-post"),
    ]
    assert [r.status_code for r in refusals] == [403] * len(refusals)
    assert _state(app, own) == _state(app, other) == State.PENDING
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert session.scalar(select(Thread).where(Thread.slug == "gast-post")).closed is False  # type: ignore[union-attr]
        assert session.scalars(select(AuditEntry)).all() == []
    assert client.post(f"/moderate/comments/{own}/approve", data={"csrf_token": token}).status_code == 303
    assert _state(app, own) == State.APPROVED


def test_an_author_without_posts_sees_nothing(client: FlaskClient, app: Flask) -> None:
    _submit(client, "open-post", "Iets")
    add_account(app, "nobody", Role.AUTHOR, display_name="Niemand")
    login(client, "nobody")
    assert "Nothing here." in client.get("/moderate/").get_data(as_text=True)


def test_a_moderator_sees_every_thread(client: FlaskClient, app: Flask) -> None:
    ids = [_submit(client, "open-post", "Een"), _submit(client, "gast-post", "Twee")]
    add_account(app, "moddy", Role.MODERATOR)
    login(client, "moddy")
    html = client.get("/moderate/").get_data(as_text=True)
    assert all(f'id="queue-{i}"' in html for i in ids)


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.AUTHOR])
def test_only_admins_reach_the_admin_pages(client: FlaskClient, app: Flask, role: Role) -> None:
    target = add_account(app, "someone", Role.MODERATOR)
    add_account(app, "user", role, display_name="Rikkert Walbeek")
    login(client, "user")
    token = moderation_token(client)
    assert client.get("/moderate/admin/accounts").status_code == 403
    assert client.get("/moderate/admin/audit").status_code == 403
    for url, data in [
        ("/moderate/admin/accounts/new", {"username": "x", "password": "long enough", "role": "admin"}),
        (f"/moderate/admin/accounts/{target}/role", {"role": "admin"}),
        (f"/moderate/admin/accounts/{target}/password", {"password": "long enough"}),
        (f"/moderate/admin/accounts/{target}/remove", {}),
    ]:
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert {u.username: u.role for u in session.scalars(select(User))} == {"someone": Role.MODERATOR, "user": role}


def test_an_admin_manages_accounts_from_the_page(client: FlaskClient, app: Flask) -> None:
    add_account(app, "boss", Role.ADMIN)
    login(client, "boss")
    token = moderation_token(client)
    new = {"username": "anna", "display_name": "Anna", "role": "moderator", "password": "eerste wachtwoord"}
    assert client.post("/moderate/admin/accounts/new", data={**new, "csrf_token": token}).status_code == 303
    assert "anna" in client.get("/moderate/admin/accounts").get_data(as_text=True)
    with database(app.config["DATABASE_URL"]).transaction() as session:
        anna = session.scalar(select(User).where(User.username == "anna"))
        assert anna is not None and anna.role == Role.MODERATOR
        anna_id = anna.id

    anna_client = app.test_client()
    login(anna_client, "anna", "eerste wachtwoord")
    url = f"/moderate/admin/accounts/{anna_id}"
    assert client.post(f"{url}/role", data={"role": "author", "csrf_token": token}).status_code == 303
    assert (
        client.post(f"{url}/password", data={"password": "tweede wachtwoord", "csrf_token": token}).status_code == 303
    )
    # A reset password ends the account's logins.
    assert anna_client.get("/moderate/").status_code == 302
    login(app.test_client(), "anna", "eerste wachtwoord", expect=401)
    login(app.test_client(), "anna", "tweede wachtwoord")
    assert client.post(f"{url}/remove", data={"csrf_token": token}).status_code == 303
    login(app.test_client(), "anna", "tweede wachtwoord", expect=401)

    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert session.get(User, anna_id) is None
        assert session.scalars(select(AuthSession).where(AuthSession.user_id == anna_id)).all() == []
        log = [(e.username, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert log == [
        ("boss", "account-create"),
        ("boss", "account-role"),
        ("boss", "account-password"),
        ("boss", "account-remove"),
    ]
    audit = client.get("/moderate/admin/audit").get_data(as_text=True)
    assert "Removed an account" in audit and "anna" in audit and "tweede wachtwoord" not in audit


def test_account_changes_that_would_leave_no_admin_are_refused(client: FlaskClient, app: Flask) -> None:
    boss = add_account(app, "boss", Role.ADMIN)
    login(client, "boss")
    token = moderation_token(client)
    base = f"/moderate/admin/accounts/{boss}"
    assert client.post(f"{base}/role", data={"role": "moderator", "csrf_token": token}, headers=JSON).status_code == 409
    assert client.post(f"{base}/remove", data={"csrf_token": token}, headers=JSON).status_code == 409
    bad = {"username": "x y", "password": "short", "role": "moderator", "csrf_token": token}
    response = client.post("/moderate/admin/accounts/new", data=bad, headers=JSON)
    assert response.status_code == 400 and "username" in response.get_json()["message"].lower()
    response = client.post("/moderate/admin/accounts/new", data={**bad, "username": "ok"}, headers=JSON)
    assert response.status_code == 400 and "8 characters" in response.get_json()["message"]
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert [(u.username, u.role) for u in session.scalars(select(User))] == [("boss", Role.ADMIN)]
