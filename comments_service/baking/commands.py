"""`flask bake` and `flask bake-worker`: bakes from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from ..appctx import this_app
from .manifest import Manifest
from .pass_bake import bake_posts
from .trigger import BakeThread, after_batch, bake_worker, site_of


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
    failures: dict[str, Exception] = {}
    with click.progressbar(slugs, label="Baking") as bar:
        changed = bake_posts(site, bar, failed=failures.setdefault)
    after_batch(app, changed)
    if failures:
        problems = "; ".join(f"{each}: {type(error).__name__}: {error}" for each, error in failures.items())
        raise click.ClickException(f"Baked {len(slugs) - len(failures)} of {len(slugs)} post(s); failed: {problems}")
    click.echo(f"Baked {len(slugs)} post(s); {len(changed)} file(s) changed.")


@click.command("bake-worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Apply the queued bakes and exit instead of waiting for more.")
def bake_worker_command(once: bool) -> None:
    """Apply queued bakes as they come, in this process (set BAKE_IN_PROCESS=false on the service)."""
    app = this_app()
    worker = bake_worker(app, _after_batch)
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
