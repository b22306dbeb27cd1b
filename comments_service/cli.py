"""Command-line tools: `flask --app comments_service …` for schema, accounts, builds and bakes."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .baking.commands import bake_command, bake_worker_command, build_command
from .demo import ensure_demo_moderator, load_demo
from .linkbacks.commands import process_webmentions_command, send_linkbacks_command
from .moderation.user_cli import user_cli
from .notify.cli import send_mail_command
from .porting.cli import COMMANDS as porting_commands
from .store.database import session_scope

db_cli = AppGroup("db", help="Manage the comment store's schema.")
demo_cli = AppGroup("demo", help="Load the demo site's data.")


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    # Alembic (with Mako) is imported here: web workers register this command but never run it.
    from .store.migrate import upgrade

    upgrade(_url())
    click.echo("Database schema is up to date.")


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
    commands = (db_cli, user_cli, demo_cli, build_command, bake_command, send_mail_command, send_linkbacks_command)
    for command in (*commands, process_webmentions_command, *porting_commands):
        app.cli.add_command(command)
    app.cli.add_command(bake_worker_command)
