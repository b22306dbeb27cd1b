"""Command-line tools: `flask --app comments_service …` for schema, accounts, builds and bakes."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from .accounts import create_user, find_user
from .baking.commands import bake_command, bake_worker_command, build_command
from .db import session_scope
from .demo import ensure_demo_moderator, load_demo
from .migrate import upgrade
from .models import Role

db_cli = AppGroup("db", help="Manage the comment store's schema.")
user_cli = AppGroup("user", help="Manage moderator accounts.")
demo_cli = AppGroup("demo", help="Load the demo site's data.")


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    upgrade(_url())
    click.echo("Database schema is up to date.")


@user_cli.command("add")
@click.argument("username")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.MODERATOR.value, help="What the account may do."
)
@click.option("--display-name", default="", help="Name shown on replies; authors match their posts' author by it.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
def user_add(username: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Create an account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("The password must have at least 8 characters.")
    try:
        with session_scope(_url()) as session:
            if find_user(session, username):
                raise click.ClickException(f"An account named {username!r} already exists.")
            create_user(session, username, password, Role(role), display_name)
    except IntegrityError as error:
        raise click.ClickException(f"An account named {username!r} already exists.") from error
    click.echo(f"Created {role} {username}.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the Zeker thread into the store (does nothing if it is there already)."""
    with session_scope(_url()) as session:
        added = load_demo(session)
    click.echo(f"Demo data: {added} entries added." if added else "Demo data already loaded.")


@demo_cli.command("moderator")
def demo_moderator() -> None:
    """Create the demo moderator if needed and print its login."""
    with session_scope(_url()) as session:
        username, password = ensure_demo_moderator(session, Path(current_app.instance_path))
    click.echo(f"Demo moderator login: {username} / {password}  (http://127.0.0.1:8000/moderate/)")


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    for command in (db_cli, user_cli, demo_cli, build_command, bake_command):
        app.cli.add_command(command)
    app.cli.add_command(bake_worker_command)
