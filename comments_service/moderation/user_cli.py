"""`flask --app comments_service user …`: create, list, change and remove accounts."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..store.audit_log import COMMAND_LINE, record
from ..store.database import database
from ..store.models import Role, User
from ..store.users import find_user, list_users
from ..text.mail_address import mailbox
from .accounts import AccountError, create_user, remove_user, set_password, set_role

user_cli = AppGroup("user", help="Manage moderation accounts (admin, moderator, author).")
_ROLES = click.Choice([r.value for r in Role])


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _existing(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise click.ClickException(f"There is no account named {username!r}.")
    return user


@user_cli.command("add")
@click.argument("username")
@click.option("--role", type=_ROLES, default=Role.MODERATOR.value, help="What the account may do.")
@click.option("--display-name", default="", help="Name shown on replies; authors match their posts' author by it.")
@click.option("--email", default="", help="Where moderation mail for this account goes (none if unset).")
@click.option(
    "--language",
    default="",
    help="Language code of the account's moderation pages and mail, one Kiln speaks (default: the browser's).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
def user_add(username: str, role: str, display_name: str, email: str, language: str, password_stdin: bool) -> None:
    """Create an account."""
    if email and mailbox(email) is None:
        raise click.ClickException(f"{email!r} is not a plain email address.")
    password = _password(password_stdin)
    try:
        with database(_url()).transaction() as session:
            create_user(session, username, password, Role(role), display_name, email, language)
            record(session, None, "account-create", anonymous_as=COMMAND_LINE, account=username, role=role)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    except IntegrityError as error:
        raise click.ClickException(f"An account named {username!r} already exists.") from error
    click.echo(f"Created {role} {username}.")


@user_cli.command("list")
def user_list() -> None:
    """List every account with its role and display name."""
    with database(_url()).transaction() as session:
        for user in list_users(session):
            click.echo(f"{user.username}\t{user.role.value}\t{user.display_name}")


@user_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=_ROLES)
def user_set_role(username: str, role: str) -> None:
    """Change what an account may do."""
    try:
        with database(_url()).transaction() as session:
            user = _existing(session, username)
            old = user.role.value
            set_role(session, user, Role(role))
            record(session, None, "account-role", anonymous_as=COMMAND_LINE, account=username, old_role=old, role=role)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{username} is now {role}.")


@user_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
def user_set_password(username: str, password_stdin: bool) -> None:
    """Set a new password for an account and end its logins."""
    password = _password(password_stdin)
    try:
        with database(_url()).transaction() as session:
            set_password(session, _existing(session, username), password)
            record(session, None, "account-password", anonymous_as=COMMAND_LINE, account=username)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"New password set for {username}.")


@user_cli.command("remove")
@click.argument("username")
def user_remove(username: str) -> None:
    """Remove an account; the audit log keeps its name."""
    try:
        with database(_url()).transaction() as session:
            remove_user(session, _existing(session, username))
            record(session, None, "account-remove", anonymous_as=COMMAND_LINE, account=username)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Removed {username}.")
