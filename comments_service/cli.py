"""Command-line tools: `flask --app comments_service …` for schema, accounts, builds and bakes."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .appctx import this_app
from .baking.baker import bake_thread
from .baking.manifest import Manifest
from .baking.site import full_build
from .baking.trigger import site_of
from .db import session_scope
from .demo import ensure_demo_moderator, load_demo
from .linkbacks.commands import process_webmentions_command, send_after_build, send_linkbacks_command
from .migrate import upgrade
from .models import utcnow
from .moderation.user_cli import user_cli
from .notify.cli import send_mail_command
from .porting.cli import COMMANDS as porting_commands

db_cli = AppGroup("db", help="Manage the comment store's schema.")
demo_cli = AppGroup("demo", help="Load the demo site's data.")


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
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


@click.command("build")
@click.option(
    "--send-linkbacks/--no-send-linkbacks",
    default=None,
    help="Ping the pages that posts new in this build link to (default: the SEND_LINKBACKS_AFTER_BUILD setting).",
)
@with_appcontext
def build_command(send_linkbacks: bool | None) -> None:
    """Run a full Pelican build of the site with every comment baked in."""
    site = site_of(this_app())
    started = utcnow()
    full_build(site)
    click.echo(f"Built the site into {site.output}.")
    if current_app.config["SEND_LINKBACKS_AFTER_BUILD"] if send_linkbacks is None else send_linkbacks:
        send_after_build(started)


@click.command("bake")
@click.argument("slug", required=False)
@click.option("--all", "bake_all", is_flag=True, help="Rebake every post the last build recorded.")
def bake_command(slug: str | None, bake_all: bool) -> None:
    """Rebake one post's comment data (SLUG) or every post's (--all) from the store."""
    if bool(slug) == bake_all:
        raise click.UsageError("Give either a SLUG or --all.")
    site = site_of(this_app())
    slugs = Manifest.load(site.output).slugs() if bake_all else [slug or ""]
    changed = 0
    with session_scope(_url()) as session, click.progressbar(slugs, label="Baking") as bar:
        for each in bar:
            changed += len(bake_thread(session, site, each))
    click.echo(f"Baked {len(slugs)} post(s); {changed} file(s) changed.")


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    commands = (db_cli, user_cli, demo_cli, build_command, bake_command, send_mail_command, send_linkbacks_command)
    for command in (*commands, process_webmentions_command, *porting_commands):
        app.cli.add_command(command)
