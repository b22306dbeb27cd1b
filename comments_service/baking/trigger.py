"""Bake from inside the service: the site from the app's settings, and the bake thread that applies the queue."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask

from ..appctx import this_app
from ..background.lease import LeaseTerms
from ..background.worker import BackgroundWorker
from ..blog.identity import identity_of
from ..blog.pelican_settings import conf_path
from .hook import run_hook
from .pelican_site import Site, load_site
from .worker import BakeWorker


def site_of(app: Flask) -> Site:
    """Return the Pelican site this service bakes into."""
    service = identity_of(app)
    return load_site(
        conf_path(app.config),
        service.database_url,
        app.config["OUTPUT_PATH"],
        service.auto_close_days,
        service.avatar_key,
    )


def after_batch(app: Flask, changed: list[Path]) -> None:
    """Run the configured post-bake command (BAKE_HOOK) with the files a batch of bakes changed."""
    hook = str(app.config["BAKE_HOOK"] or "")
    run_hook(hook, site_of(app).output, changed, float(app.config["BAKE_HOOK_TIMEOUT"]))


def bake_worker(app: Flask, then: Callable[[Flask, list[Path]], object] = after_batch) -> BakeWorker:
    """Return a worker for the app's site that calls then (by default the post-bake hook) after each batch."""
    return BakeWorker(site_of(app), partial(then, app), LeaseTerms.retried_until_done(app.config, "BAKE"))


class BakeThread(BackgroundWorker):
    """A BakeWorker in a daemon thread: woken after each commit, and polling for other processes' jobs.

    A wake that someone waits for (a moderator's action) starts a pass at once. A wake
    nobody waits for (a reader's comment published without moderation) starts one at
    once only if the last pass ended batch_seconds ago; otherwise it joins the pass that
    starts then, so a busy thread is baked a few times a second, not once per comment.
    """

    name = "kiln-bake-worker"

    def __init__(self, worker: BakeWorker, poll_seconds: float, batch_seconds: float = 0.0) -> None:
        self._worker = worker
        self._batch = batch_seconds
        super().__init__(poll_seconds)

    @classmethod
    def enabled(cls, config: Mapping[str, Any]) -> bool:
        """Bake in the service unless BAKE_IN_PROCESS is off (a `flask bake-worker` process bakes)."""
        return bool(config["BAKE_IN_PROCESS"])

    @classmethod
    def for_app(cls, app: Flask) -> BakeThread:
        """Bake the app's site, running its post-bake hook after each batch."""
        poll, batch = float(app.config["BAKE_POLL_SECONDS"]), float(app.config["BAKE_BATCH_SECONDS"])
        return cls(bake_worker(app), poll, batch)

    @property
    def durable_at(self) -> float:
        """When (time.perf_counter) the newest covered request had its files durable on disk."""
        return self.answered_at

    def wake(self, urgent: bool = True) -> int:
        """Ask for a pass and return a ticket that a finished pass covers (the next one if urgent)."""
        with self._changed:
            self._issued += 1
            if urgent:
                self._urgent = self._issued
            # The worker needs telling only of an urgent wake or the first since its pass began:
            # later ones leave its batch deadline where it is, and waking it for each reader's
            # comment cost the request threads the interpreter (measured: 2% of a busy worker).
            if urgent or self._issued == self._began + 1:
                self._changed.notify_all()
            return self._issued

    def setup(self) -> None:
        """Clear what a killed predecessor left half-written; its jobs are still queued."""
        self._worker.start()

    def work(self, ticket: int) -> None:
        """Bake what is queued, answering ticket as soon as the pages are on disk."""
        try:
            self._worker.run_pass(on_durable=lambda: self._cover(ticket), rest=self._rest)
        finally:
            # A failed pass releases its waiters too: waiting longer would not bake their pages.
            self._cover(ticket)

    def wait_for_work(self, ticket: int) -> None:
        """Return when a pass is due: an urgent wake, a batch due, a poll due, or stopping.

        Batches and polls are timed from the last pass of any process baking this site,
        so several server processes bake a busy post once a batch, not once each.
        """
        ended = time.monotonic()
        with self._changed:
            while not self._stopping and self._urgent <= ticket:
                latest = max(ended, self._worker.last_pass() or ended)
                batch_due, poll_due = latest + self._batch, latest + self.poll_seconds
                now = time.monotonic()
                if now >= poll_due or (self._issued > ticket and now >= batch_due):
                    return
                self._changed.wait((batch_due if self._issued > ticket else poll_due) - now)

    def _rest(self, seconds: float) -> None:
        """Between the posts of a pass, leave the interpreter to request threads as long as the last bake held it.

        This thread shares the interpreter with the service's request threads: baking a
        busy site's posts back to back slowed every answer meanwhile (measured: a tenth off
        the intake's 99th percentile when resting). Nobody waits longer for it: a wake that
        someone waits for ends the rest.
        """
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self._urgent > self._covered, seconds)

    def _reset_state(self) -> None:
        super()._reset_state()
        self._urgent = 0  # the latest wake someone waits for


def start_worker(app: Flask) -> BakeThread | None:
    """Return the app's bake thread, started in this process unless BAKE_IN_PROCESS is off."""
    return BakeThread.start_for(app)


def stop_worker(app: Flask) -> None:
    """Stop the app's bake thread, if it runs."""
    BakeThread.stop_for(app)


def bake_queued(urgent: bool = False, wait: bool = False) -> bool:
    """Wake the worker for bakes just committed to the queue; tell whether they are on disk.

    An urgent wake (a moderator's action) starts a pass at once; otherwise the worker may
    batch it with others (BAKE_BATCH_SECONDS): the job is durable in the queue. With wait,
    return once the pass that bakes it is on disk. The wait is bounded (BAKE_WAIT_SECONDS):
    while a full build holds the site the answer comes without the bake, which follows once
    the build is swapped in.
    """
    app = this_app()
    # A bake someone waits for starts the thread if nothing has yet (a test, a `flask import` command).
    worker = BakeThread.start_for(app)
    if worker is None:
        return False
    ticket = worker.wake(urgent=urgent)
    return worker.wait(ticket, float(app.config["BAKE_WAIT_SECONDS"])) if wait else False
