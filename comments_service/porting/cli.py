"""`flask --app comments_service import wxr|disqus|json FILE` and `export FILE`.

The WordPress and Disqus readers (BeautifulSoup, markdownify, defusedxml, Pelican) are imported
by their commands: create_app registers these commands in every web worker, which never runs them.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..appctx import this_app
from ..baking.pelican_site import pelican_settings
from ..baking.trigger import site_of
from ..baking.unit_of_work import Committed, publish
from ..store.database import database
from .json_check import read_export
from .json_format import dumps, export_store
from .json_import import import_export
from .plan import ImportPlan, PortingError
from .summary import Summary
from .transaction import in_one_transaction, run_plan

import_cli = AppGroup("import", help="Import posts and comments from WordPress, Disqus or a Kiln export.")
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


def _content_dir(given: Path | None) -> Path:
    return given or Path(pelican_settings(site_of(this_app()))["PATH"])


def _finish(summary: Summary, committed: Committed) -> None:
    for line in summary.lines():
        click.echo(line)
    try:
        publish(committed)
    except OSError as error:
        # The import is committed; only refreshing already-built pages failed.
        click.echo(f"Imported, but rebaking the built pages failed: {error}", err=True)
    click.echo("Run `flask --app comments_service build` to publish new posts and threads.")


def _apply(plan: ImportPlan, summary: Summary) -> Committed:
    with click.progressbar(length=len(plan.comments), label="Importing comments", file=sys.stderr) as bar:
        return run_plan(_url(), plan, summary, bar.update)


def _guarded(command: Callable[..., None]) -> Callable[..., None]:
    """Turn a PortingError into a plain message and exit status 1, never a traceback."""

    @functools.wraps(command)
    def run(**kwargs: object) -> None:
        try:
            command(**kwargs)
        except PortingError as error:
            raise click.ClickException(f"{str(error).rstrip('.')}. Nothing was imported.") from error

    return run


def _content_dir_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Return the --content-dir option, with what the folder is for."""
    return click.option("--content-dir", type=click.Path(file_okay=False, path_type=Path), help=help_text)


@import_cli.command("wxr")
@click.argument("file", type=FILE)
@_content_dir_option("Where posts are written (default: the site's content folder).")
@click.option(
    "--include-drafts",
    is_flag=True,
    help="Also import drafts, pending, private and scheduled posts, as Pelican drafts.",
)
@_guarded
def import_wxr(file: Path, content_dir: Path | None, include_drafts: bool) -> None:
    """Import a WordPress export (WXR 1.0–1.2): posts and pages as files, comments into the store."""
    from .wxr import plan_wxr
    from .wxr_items import read_export as read_wxr_export
    from .xml_input import read_xml

    content = _content_dir(content_dir)
    pages = str(pelican_settings(site_of(this_app())).get("PAGE_PATHS", ["pages"])[0])
    summary = Summary(file.name)
    plan = plan_wxr(read_wxr_export(read_xml(file)), file.name, content, pages, include_drafts, summary)
    _finish(summary, _apply(plan, summary))


@import_cli.command("disqus")
@click.argument("file", type=FILE)
@_content_dir_option("Where to look for posts (default: the site's content folder).")
@_guarded
def import_disqus(file: Path, content_dir: Path | None) -> None:
    """Import a Disqus export, matching its threads to posts by URL or slug."""
    from .disqus import plan_disqus, read_disqus
    from .known_posts import known_posts
    from .xml_input import read_xml

    threads, posts = read_disqus(read_xml(file))
    summary = Summary(file.name)
    with database(_url()).transaction() as session:
        known = known_posts(session, _content_dir(content_dir))
    plan = plan_disqus(threads, posts, known, file.name, summary)
    _finish(summary, _apply(plan, summary))


@import_cli.command("json")
@click.argument("file", type=FILE)
@_guarded
def import_json(file: Path) -> None:
    """Import a Kiln export (made by `export`), adding only what the store lacks."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PortingError(f"{file.name}: cannot read it as UTF-8 text: {error}") from error
    data = read_export(text, file.name)
    summary = Summary(file.name)
    with click.progressbar(length=len(data["comments"]), label="Importing comments", file=sys.stderr) as bar:
        committed = in_one_transaction(
            _url(), file.name, lambda unit, _created: import_export(unit.session, data, summary, bar.update)
        )
    _finish(summary, committed)


@click.command("export")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(file: Path) -> None:
    """Write the whole store (no password hashes, sessions or mail) to FILE as JSON."""
    with database(_url()).transaction() as session:
        text = dumps(export_store(session))
    # The export holds readers' email and IP addresses: readable by its owner only.
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise click.ClickException(f"cannot write {file}: {error.strerror}") from error
    click.echo(f"Exported the store to {file}.")


COMMANDS = (import_cli, export_command)
