"""Command-line tools: `flask --app comments_service …` for schema, accounts, builds and bakes."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .appctx import this_app
from .baking.commands import bake_command, bake_worker_command
from .baking.pelican_site import full_build
from .baking.trigger import bake_worker, site_of
from .baking.unit_of_work import UnitOfWork
from .demo import ensure_demo_moderator, load_demo
from .linkbacks.commands import process_webmentions_command, send_after_build, send_linkbacks_command
from .moderation.user_cli import user_cli
from .notify.cli import send_mail_command
from .porting.cli import COMMANDS as porting_commands
from .store.database import database
from .store.models import utcnow

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
    """Load the Zeker thread into the store (does nothing if it is there already), then bake its page."""
    with database(_url()).session() as session:
        work = UnitOfWork(session)
        added = load_demo(work)
        work.commit()
    click.echo(f"Demo data: {added} entries added." if added else "Demo data already loaded.")


@demo_cli.command("moderator")
def demo_moderator() -> None:
    """Create the demo moderator if needed and print its login."""
    with database(_url()).transaction() as session:
        username, password = ensure_demo_moderator(session, Path(current_app.instance_path))
    click.echo(f"Demo moderator login: {username} / {password}  (http://127.0.0.1:8000/moderate/)")


# Here, not in baking: a build may go on to send linkbacks, and linkbacks use baking.
@click.command("build")
@click.option(
    "--send-linkbacks/--no-send-linkbacks",
    default=None,
    help="Ping the pages that posts new in this build link to (default: the SEND_LINKBACKS_AFTER_BUILD setting).",
)
@with_appcontext
def build_command(send_linkbacks: bool | None) -> None:
    """Run a full Pelican build of the site with every comment baked in, then apply queued bakes."""
    app = this_app()
    site = site_of(app)
    started = utcnow()
    full_build(site)
    # Bakes queued while Pelican ran are not in the new build yet; no worker may be running.
    changed = bake_worker(app).run_pass()
    click.echo(f"Built the site into {site.output}; {len(changed)} file(s) baked since.")
    if app.config["SEND_LINKBACKS_AFTER_BUILD"] if send_linkbacks is None else send_linkbacks:
        send_after_build(started)


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    commands = (db_cli, user_cli, demo_cli, build_command, bake_command, send_mail_command, send_linkbacks_command)
    for command in (*commands, process_webmentions_command, *porting_commands):
        app.cli.add_command(command)
    app.cli.add_command(bake_worker_command)
