"""Start an app's background workers, each once per process, the same way under gunicorn and `flask run`."""

from __future__ import annotations

import os
from collections.abc import Iterable

from flask import Flask

from .worker import BackgroundWorker

_KINDS = "kiln_worker_kinds"
_STARTED_IN = "kiln_workers_started_in"


class _Process:
    """This process, as the workers' start knows it: a new one after each fork."""


# Compared by identity before every request: cheaper than os.getpid(), a system call (measured: 4x).
_this_process = _Process()


def _forked() -> None:
    global _this_process
    _this_process = _Process()


os.register_at_fork(after_in_child=_forked)


def start_workers(app: Flask) -> None:
    """Start every background worker the app's settings turn on, unless it runs in this process already."""
    kinds: tuple[type[BackgroundWorker], ...] = app.extensions.get(_KINDS, ())
    for kind in kinds:
        kind.start_for(app)
    app.extensions[_STARTED_IN] = _this_process


def init_app(app: Flask, kinds: Iterable[type[BackgroundWorker]]) -> None:
    """Keep the app's kinds of worker, and start them with each process's first request, whatever the server.

    gunicorn starts them earlier, as each of its workers starts (post_worker_init), so what is
    queued is taken up at once. A process that only runs a command serves no request and starts
    none. Under TESTING nothing starts by itself: a test starts the workers it exercises, so one
    that drains the outbox itself races no sender.
    """
    app.extensions[_KINDS] = tuple(kinds)
    if app.testing:
        return

    def start() -> None:
        # Runs before every request: once the workers run in this process it is one look-up.
        if app.extensions.get(_STARTED_IN) is not _this_process:
            start_workers(app)

    app.before_request(start)
