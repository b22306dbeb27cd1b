"""`flask build`, `flask bake` and `flask bake-worker`: full builds and bakes from the command line."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from ..appctx import this_app
from ..linkbacks.commands import send_after_build
from ..store.database import session_scope
from ..store.models import utcnow
from .baker import bake_thread
from .manifest import Manifest
from .pelican_site import full_build
from .trigger import BakeThread, after_batch, bake_worker, site_of
from .worker import BakeWorker


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


@click.command("bake")
@with_appcontext
@click.argument("slug", required=False)
@click.option("--all", "bake_all", is_flag=True, help="Rebake every post the last build recorded.")
def bake_command(slug: str | None, bake_all: bool) -> None:
    """Rebake one post's comment data (SLUG) or every post's (--all) from the store."""
    if bool(slug) == bake_all:
        raise click.UsageError("Give either a SLUG or --all.")
    app = this_app()
    site = site_of(app)
    known = Manifest.load(site.output).slugs()
    if slug and slug not in known:
        raise click.ClickException(f"The last build has no post {slug!r}; build the site first.")
    slugs = known if bake_all else [slug or ""]
    changed = []
    with click.progressbar(slugs, label="Baking") as bar:
        for each in bar:
            # A session per post: each bake reads the store afresh, under the site lock.
            with session_scope(site.database_url) as session:
                changed += bake_thread(session, site, each)
    after_batch(app, changed)
    click.echo(f"Baked {len(slugs)} post(s); {len(changed)} file(s) changed.")


@click.command("bake-worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Apply the queued bakes and exit instead of waiting for more.")
def bake_worker_command(once: bool) -> None:
    """Apply queued bakes as they come, in this process (set BAKE_IN_PROCESS=false on the service)."""
    app = this_app()
    worker = BakeWorker(site_of(app), partial(_after_batch, app))
    poll = float(app.config["BAKE_POLL_SECONDS"])
    click.echo(f"Baking queued posts into {worker.site.output}" + ("." if once else f", looking every {poll:g} s."))
    if once:
        worker.start()
        worker.run_pass()
        return
    # The service's bake thread, here with nobody to wake it: it bakes what other processes queue at each poll.
    thread = BakeThread(worker, poll)
    thread.start()
    try:
        thread.join()
    except KeyboardInterrupt:
        thread.stop()
        click.echo("Stopped; queued bakes stay queued.")


def _after_batch(app: Flask, changed: list[Path]) -> None:
    after_batch(app, changed)
    click.echo(f"Baked {len(changed)} file(s).")
