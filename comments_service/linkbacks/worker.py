"""Background verification: webmentions are answered 202 at once and checked by a few worker threads."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

log = logging.getLogger(__name__)
_EXTENSION = "kiln_linkback_worker"
_lock = threading.Lock()


class VerificationQueue:
    """A bounded queue of verification jobs, each run in the app's context by a worker thread."""

    def __init__(self, app: Flask, workers: int, capacity: int) -> None:
        self._app = app
        self._capacity = capacity
        self._pending = 0
        self._idle = threading.Condition()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kiln-webmention")

    def submit(self, job: Callable[[], object]) -> bool:
        """Queue a job; refuse it (False) when the queue is full."""
        with self._idle:
            if self._pending >= self._capacity:
                return False
            self._pending += 1
        self._pool.submit(self._run, job)
        return True

    def _run(self, job: Callable[[], object]) -> None:
        try:
            with self._app.app_context():
                job()
        except Exception:
            # The boundary of a background thread: nobody else would ever see this error.
            log.exception("kiln linkbacks: a webmention verification failed")
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until every queued job has finished (True) or timeout seconds pass (False)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)


def verification_queue(app: Flask) -> VerificationQueue:
    """Return the app's verification queue, started on first use (after any worker fork)."""
    queue: VerificationQueue | None = app.extensions.get(_EXTENSION)
    if queue is None:
        with _lock:
            queue = app.extensions.get(_EXTENSION)
            if queue is None:
                queue = VerificationQueue(app, app.config["WEBMENTION_WORKERS"], app.config["WEBMENTION_QUEUE_MAX"])
                app.extensions[_EXTENSION] = queue
    return queue
