"""The base of Kiln's background work: threads that run passes over a durable queue, one set per app and process."""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, ClassVar, Self

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
_EXTENSION = "kiln_background"
_starting = threading.Lock()
# Every worker started in this process, so all can be stopped before their database goes away.
_running: weakref.WeakSet[BackgroundWorker] = weakref.WeakSet()


def _forget_locks_after_fork() -> None:
    # A lock some thread of the parent held while it forked would stay held in the child for ever.
    global _starting
    _starting = threading.Lock()


os.register_at_fork(after_in_child=_forget_locks_after_fork)


class BackgroundWorker:
    """Threads that each run a pass at start, when woken, and every poll interval, until stopped.

    A subclass says what a pass does (work) and, to be started for an app, when the app's
    settings turn it on (enabled) and how to build it (for_app). Each wake returns a ticket
    that a pass beginning after it answers, so a caller can wait for its work to be done.
    start() runs the threads once per process: in a process forked after they started (a
    gunicorn worker of a preloaded app), it starts new ones, since a fork copies no thread.
    """

    name: ClassVar[str] = "kiln-worker"

    def __init__(self, poll_seconds: float, threads: int = 1) -> None:
        self.poll_seconds = poll_seconds
        self.thread_count = threads
        self._pid: int | None = None
        self._threads: list[threading.Thread] = []
        self._reset_state()

    @classmethod
    def enabled(cls, config: Mapping[str, Any]) -> bool:
        """Tell whether the app's settings turn this worker on in the service's processes."""
        raise NotImplementedError

    @classmethod
    def for_app(cls, app: Flask) -> Self:
        """Build this worker for app, not started."""
        raise NotImplementedError

    def work(self, ticket: int) -> None:
        """Run one pass over what is due now; it answers the wakes up to ticket."""
        raise NotImplementedError

    def setup(self) -> None:
        """Get ready, in each thread before its first pass (nothing by default)."""

    def wait_for_work(self, ticket: int) -> None:
        """Return when a pass is due: woken since the pass that answered ticket began, a poll due, or stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self._issued > ticket, self.poll_seconds)

    @property
    def stopping(self) -> bool:
        """Whether stop() was called: a long pass may end early."""
        return self._stopping

    def start(self) -> None:
        """Start the threads unless they run in this process already; each begins with a pass."""
        if self._pid == os.getpid():
            return
        with _starting:
            if self._pid == os.getpid():
                return
            if self._pid is not None:
                # Forked from the process that started the threads: none came along, and a
                # lock one of them held would stay held, so begin afresh.
                self._reset_state()
            self._pid = os.getpid()
            names = [self.name] if self.thread_count == 1 else [f"{self.name}-{n}" for n in range(self.thread_count)]
            self._threads = [threading.Thread(target=self._run, name=name, daemon=True) for name in names]
            for thread in self._threads:
                thread.start()
            _running.add(self)

    def wake(self) -> int:
        """Ask for a pass now rather than at the next poll; return the ticket a pass that answers it covers."""
        with self._changed:
            self._issued += 1
            self._changed.notify_all()
            return self._issued

    def wait(self, ticket: int, timeout: float) -> bool:
        """Wait until a pass has answered ticket; tell whether one did within timeout seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._covered >= ticket or self._stopping, timeout)
            return self._covered >= ticket

    def wait_idle(self, timeout: float) -> bool:
        """Wake the threads and wait until what is due now is done and none is busy; False after timeout seconds."""
        ticket = self.wake()
        with self._changed:
            return self._changed.wait_for(lambda: self._covered >= ticket and self._busy == 0, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Let each thread finish its pass and end; wait at most timeout seconds for each."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        _running.discard(self)

    def join(self) -> None:
        """Block until the threads end: only after stop(), or an interrupt (a worker command's Ctrl-C)."""
        for thread in self._threads:
            thread.join()

    @classmethod
    def start_for(cls, app: Flask) -> Self | None:
        """Return the app's worker of this kind, started in this process; None while the settings turn it off."""
        if not cls.enabled(app.config):
            return None
        workers: dict[type[BackgroundWorker], BackgroundWorker] = app.extensions.setdefault(_EXTENSION, {})
        worker = workers.get(cls)
        if worker is None or worker.stopping:
            with _starting:
                worker = workers.get(cls)
                if worker is None or worker.stopping:
                    worker = workers[cls] = cls.for_app(app)
        assert isinstance(worker, cls)
        worker.start()
        return worker

    @classmethod
    def running(cls, app: Flask) -> Self | None:
        """Return the app's worker of this kind if it runs in this process."""
        worker = app.extensions.get(_EXTENSION, {}).get(cls)
        if isinstance(worker, cls) and worker._pid == os.getpid() and not worker.stopping:
            return worker
        return None

    @classmethod
    def wake_for(cls, app: Flask) -> None:
        """Wake the app's worker of this kind, if it runs in this process."""
        worker = cls.running(app)
        if worker is not None:
            worker.wake()

    @classmethod
    def stop_for(cls, app: Flask, timeout: float = 10.0) -> None:
        """Stop the app's worker of this kind, if one was started; the next start_for builds a new one."""
        worker = app.extensions.get(_EXTENSION, {}).pop(cls, None)
        if worker is not None:
            worker.stop(timeout)

    def _reset_state(self) -> None:
        """Forget every wake and pass: for a new worker, and in a forked process that starts its own threads."""
        self._changed = threading.Condition()
        self._stopping = False
        self._issued = 0  # wakes asked for so far
        self._began = 0  # the ticket the latest pass began at
        self._covered = 0  # the latest ticket a pass has answered
        self._busy = 0  # threads in a pass
        # When (time.perf_counter) the latest ticket was answered.
        self.answered_at = 0.0

    def _run(self) -> None:
        self._attempt(self.setup)
        while True:
            with self._changed:
                if self._stopping:
                    return
                ticket = self._began = self._issued
                self._busy += 1
            try:
                done = self._attempt(partial(self.work, ticket))
            finally:
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()
            if done:
                self._cover(ticket)
            self.wait_for_work(ticket)

    def _cover(self, ticket: int) -> None:
        """Tell the waiters that every wake up to ticket is answered."""
        with self._changed:
            if ticket > self._covered:
                self._covered = ticket
                self.answered_at = time.perf_counter()
            self._changed.notify_all()

    def _attempt(self, step: Callable[[], object]) -> bool:
        try:
            step()
        except (SQLAlchemyError, OSError):
            # The store or the disk may be briefly unavailable: what is queued stays queued for the next pass.
            log.exception("kiln: %s will retry after an error", self.name)
            return False
        return True


def stop_all_workers() -> None:
    """Stop every worker this process started (at shutdown, or before the store they use goes away)."""
    for worker in list(_running):
        worker.stop()
