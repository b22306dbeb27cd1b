"""Bake from inside the service: the site from the app's settings, and the in-process bake worker."""

from __future__ import annotations

import os
import threading
import weakref
from functools import partial
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from ..appctx import this_app
from .bake_requests import pending_bakes
from .hook import run_hook
from .site import Site, load_site
from .worker import BakeWorker, ThreadWorker

_EXTENSION = "kiln_bake_worker"
_starting = threading.Lock()
# Every worker this process started, so all can be stopped before their database goes away.
_started: weakref.WeakSet[ThreadWorker] = weakref.WeakSet()


def site_of(app: Flask) -> Site:
    """Return the Pelican site this service bakes into."""
    conf = Path(app.config["SITE_DIR"]) / app.config["PELICAN_CONF"]
    auto_close_days = int(app.config["AUTO_CLOSE_DAYS"] or 0)
    return load_site(str(conf), app.config["DATABASE_URL"], app.config["OUTPUT_PATH"], auto_close_days)


def after_batch(app: Flask, changed: list[Path]) -> None:
    """Run the configured post-bake command (BAKE_HOOK) with the files a batch of bakes changed."""
    hook = str(app.config["BAKE_HOOK"] or "")
    run_hook(hook, site_of(app).output, changed, float(app.config["BAKE_HOOK_TIMEOUT"]))


def bake_worker(app: Flask) -> BakeWorker:
    """Return a worker for the app's site that runs the post-bake hook after each batch."""
    return BakeWorker(site_of(app), partial(after_batch, app))


def start_worker(app: Flask) -> ThreadWorker | None:
    """Start the app's in-process bake worker once per process, unless BAKE_IN_PROCESS is off."""
    if not app.config["BAKE_IN_PROCESS"]:
        return None
    # Runs before every request: the usual case, a worker already running here, takes no lock.
    running = app.extensions.get(_EXTENSION)
    if running is not None and running[0] == os.getpid():
        started: ThreadWorker = running[1]
        return started
    with _starting:
        # Keyed by process id: a forked server process starts its own thread.
        current = app.extensions.get(_EXTENSION)
        if current is not None and current[0] == os.getpid():
            worker: ThreadWorker = current[1]
            return worker
        poll, batch = float(app.config["BAKE_POLL_SECONDS"]), float(app.config["BAKE_BATCH_SECONDS"])
        worker = ThreadWorker(bake_worker(app), poll, batch)
        app.extensions[_EXTENSION] = (os.getpid(), worker)
        _started.add(worker)
        worker.start()
        return worker


def stop_worker(app: Flask) -> None:
    """Stop the app's in-process bake worker, if it runs."""
    current = app.extensions.pop(_EXTENSION, None)
    if current is not None and current[0] == os.getpid():
        current[1].stop()


def stop_all_workers() -> None:
    """Stop every in-process bake worker this process started (at shutdown, or before a store is dropped)."""
    for worker in list(_started):
        worker.stop()
    _started.clear()


def bake_requested(session: Session) -> bool:
    """Wake the worker for the bakes this session's transaction just committed, and wait for them.

    The wait is bounded (BAKE_WAIT_SECONDS): while a full build holds the site the answer
    comes without the bake, which follows once the build is swapped in. Returns whether a
    pass of the worker that covers the request finished in time.
    """
    if not pending_bakes(session):
        return True
    return _wake(urgent=True, wait=True)


def bake_queued(wait: bool = False) -> bool:
    """Wake the worker for a bake committed outside a session (a reader's comment); tell whether it is on disk.

    The worker may batch it with others (BAKE_BATCH_SECONDS): the job is durable in the
    queue. With wait, return once the pass that bakes it is on disk (bounded, as above).
    """
    return _wake(urgent=False, wait=wait)


def _wake(urgent: bool, wait: bool) -> bool:
    app = this_app()
    worker = start_worker(app)
    if worker is None:
        return False
    ticket = worker.wake(urgent=urgent)
    return worker.wait(ticket, float(app.config["BAKE_WAIT_SECONDS"])) if wait else False


def init_app(app: Flask) -> None:
    """Start the in-process bake worker with the first request, so queued bakes are applied at start."""

    def start() -> None:
        start_worker(app)

    app.before_request(start)
