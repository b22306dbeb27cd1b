"""`flask send-linkbacks SLUG`, sending from the posts a build has just added, and `flask process-webmentions`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from ..appctx import this_app
from ..baking.trigger import site_of
from ..store.database import database
from ..store.linkback_records import threads_created_since
from ..store.models import Thread
from ..store.pending_webmentions import count_waiting
from ..store.threads import get_thread
from .fetcher import policy_from_config
from .sending import Post, Result, send_from
from .targets import configured_base, post_url
from .worker import drain


def _post(app: Flask, thread: Thread, base: str) -> Post:
    site = site_of(app)
    relative = thread.url + "index.html" if thread.url.endswith("/") or not thread.url else thread.url
    try:
        html = (Path(site.output) / relative).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise click.ClickException(
            f"{thread.slug} has no built page at {relative}; run `flask build` first."
        ) from error
    return Post(url=post_url(base, thread), title=thread.title, blog_name=site.options.site.site_name, html=html)


def _base(app: Flask) -> str:
    base = configured_base(app)
    if not base:
        raise click.ClickException(
            "Set SITE_URL (or Pelican's SITEURL) to the site's absolute URL: pings name posts by it."
        )
    return base


def _send(app: Flask, slugs: list[str]) -> list[Result]:
    base, policy = _base(app), policy_from_config(app.config)
    results: list[Result] = []
    with database(app.config["DATABASE_URL"]).transaction() as session:
        for slug in slugs:
            thread = get_thread(session, slug)
            if thread is None:
                raise click.ClickException(f"There is no post {slug!r}; run `flask build` first.")
            results += send_from(session, thread, _post(app, thread, base), policy)
    return results


def _report(slug_label: str, results: list[Result]) -> None:
    for result in results:
        via = f" via {result.protocol} {result.endpoint}" if result.protocol else ""
        detail = f" ({result.detail})" if result.detail else ""
        click.echo(f"{result.target}: {result.status}{via}{detail}")
    click.echo(f"{slug_label}: {len(results)} page(s) pinged or tried; earlier ones are not pinged again.")


@click.command("send-linkbacks")
@click.argument("slug")
@with_appcontext
def send_linkbacks_command(slug: str) -> None:
    """Send Webmention, Pingback or TrackBack pings from post SLUG to the pages it links to."""
    _report(slug, _send(this_app(), [slug]))


def send_after_build(since: datetime) -> None:
    """Send linkbacks from the posts first seen by the build that started at since."""
    app = this_app()
    with database(app.config["DATABASE_URL"]).transaction() as session:
        slugs = [thread.slug for thread in threads_created_since(session, since)]
    if slugs:
        _report(f"{len(slugs)} new post(s)", _send(app, slugs))


@click.command("process-webmentions")
@with_appcontext
def process_webmentions_command() -> None:
    """Verify every stored webmention that is due, once (the service's verifier threads do this continually)."""
    app = this_app()
    results = drain(app)
    with database(app.config["DATABASE_URL"]).transaction() as session:
        waiting = count_waiting(session, int(app.config["WEBMENTION_MAX_ATTEMPTS"]))
    click.echo(
        f"Verified {results['verified']}, to retry {results['retry']}, gave up on {results['gave up']}; "
        f"{waiting} webmention(s) waiting."
    )
