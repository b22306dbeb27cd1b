"""Apply queued bakes: in a thread of the service, or in `flask bake-worker`, its own process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from ..store.database import session_scope
from .atomic import sweep_drafts
from .baker import bake_thread
from .lock import site_lock
from .pass_bake import PassBake
from .pass_stamp import last_pass, stamp_pass
from .queue import Job, finish_all, pending, record_failure
from .site import Site

log = logging.getLogger(__name__)


class BakeWorker:
    """Bakes every queued post of one site, each from the store's newest state."""

    def __init__(self, site: Site, after_batch: Callable[[list[Path]], object] | None = None) -> None:
        self.site = site
        self.after_batch = after_batch

    def last_pass(self) -> float | None:
        """Return when (time.monotonic) any process last finished a pass that baked this site."""
        return last_pass(self.site.output)

    def start(self) -> None:
        """Clear what a killed predecessor left half-written; its jobs are still queued."""
        with site_lock(self.site.output):
            if self.site.output.exists():
                sweep_drafts(self.site.output)

    def run_pass(
        self, on_durable: Callable[[], object] | None = None, rest: Callable[[float], object] | None = None
    ) -> list[Path]:
        """Bake each job queued now once; return the files that changed.

        Jobs queued meanwhile wait for the next pass, so a steady stream of reader comments
        cannot keep one pass going (the thread worker decides when the next one starts).
        on_durable runs as soon as the pass's pages are on disk, before its jobs are removed
        and before the post-bake hook runs. In a pass over several posts, rest is called
        between them with the processor time the last one's bake took.
        """
        url = self.site.database_url
        with session_scope(url) as session:
            jobs = pending(session)
        changed: list[Path] = []
        if len(jobs) > 1:
            baked = self._bake_together(jobs, changed, rest)
        else:
            baked = [job for job in jobs if self._bake(job, changed)]
        if on_durable is not None:
            on_durable()
        if baked:
            finish_all(url, baked)
            stamp_pass(self.site.output)
        if changed and self.after_batch is not None:
            self.after_batch(changed)
        return changed

    def _bake_together(self, jobs: list[Job], changed: list[Path], rest: Callable[[float], object] | None) -> list[Job]:
        """Bake several posts under one hold of the site lock, the files they share once; return those baked."""
        with site_lock(self.site.output):
            # Read again under the lock: another process's pass may have baked some meanwhile
            # (a bumped version is fine: it was read before this pass reads the comments).
            with session_scope(self.site.database_url) as session:
                due = {job.slug for job in jobs}
                jobs = [job for job in pending(session) if job.slug in due]
            together = PassBake(self.site)
            baked = []
            for number, job in enumerate(jobs, 1):
                began = time.thread_time()
                if self._bake(job, changed, together):
                    baked.append(job)
                if rest is not None and number < len(jobs):
                    rest(time.thread_time() - began)
            if not baked:
                return []
            try:
                with session_scope(self.site.database_url) as session:
                    changed += together.finish(session)
            # As for a post: a template's error must not stop the worker. The posts stay
            # queued, to be baked again by the next pass.
            except Exception:  # noqa: BLE001
                log.exception("kiln: writing the files that several posts share failed")
                return []
        return baked

    def _bake(self, job: Job, changed: list[Path], together: PassBake | None = None) -> bool:
        """Bake one job's post, adding the files it changed; tell whether it succeeded."""
        url = self.site.database_url
        # The job's version was read before the bake reads the comments, so a change
        # committed after that read bumps the version and the job survives for another bake.
        try:
            with session_scope(url) as session:
                changed += together.bake(session, job.slug) if together else bake_thread(session, self.site, job.slug)
        # Templates are the theme's code: whatever one raises is recorded on the job
        # and retried by the next pass, instead of stopping every other post's bake.
        except Exception as error:  # noqa: BLE001
            log.exception("kiln: baking %s failed", job.slug)
            with session_scope(url) as session:
                record_failure(session, job, f"{type(error).__name__}: {error}")
            return False
        return True


class ThreadWorker:
    """A BakeWorker in a daemon thread: woken after each commit, and polling for other processes' jobs.

    A wake that someone waits for (a moderator's action) starts a pass at once. A wake
    nobody waits for (a reader's comment published without moderation) starts one at
    once only if the last pass ended batch_seconds ago; otherwise it joins the pass that
    starts then, so a busy thread is baked a few times a second, not once per comment.
    """

    def __init__(self, worker: BakeWorker, poll_seconds: float, batch_seconds: float = 0.0) -> None:
        self._worker = worker
        self._poll = poll_seconds
        self._batch = batch_seconds
        self._changed = threading.Condition()
        self._issued = 0
        # The last ticket the current (or last) pass covers: wakes past the first after it change nothing.
        self._started = 0
        self._urgent = 0
        self._covered = 0
        self._stopping = False
        # When (time.perf_counter) the newest covered request had its files durable on disk.
        self.durable_at = 0.0
        self._thread = threading.Thread(target=self._run, name="kiln-bake-worker", daemon=True)

    def start(self) -> None:
        """Start the thread; its first pass applies whatever was left queued."""
        self._thread.start()

    def wake(self, urgent: bool = True) -> int:
        """Ask for a pass and return a ticket that a finished pass covers (the next one if urgent)."""
        with self._changed:
            self._issued += 1
            if urgent:
                self._urgent = self._issued
            # The worker needs telling only of an urgent wake or the first since its pass began:
            # later ones leave its batch deadline where it is, and waking it for each reader's
            # comment cost the request threads the interpreter (measured: 2% of a busy worker).
            if urgent or self._issued == self._started + 1:
                self._changed.notify_all()
            return self._issued

    def wait(self, ticket: int, timeout: float) -> bool:
        """Wait until the bakes asked for with ticket are on disk; tell whether they are."""
        with self._changed:
            self._changed.wait_for(lambda: self._covered >= ticket or self._stopping, timeout)
            return self._covered >= ticket

    def stop(self, timeout: float = 10) -> None:
        """Stop after the current pass."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        self._attempt(self._worker.start)
        while True:
            with self._changed:
                if self._stopping:
                    return
                started = self._started = self._issued
            self._pass(started)
            self._wait_for_work(started, time.monotonic())

    def _wait_for_work(self, started: int, ended: float) -> None:
        """Return when a pass is due: an urgent wake, a batch due, a poll due, or stopping.

        Batches and polls are timed from the last pass of any process baking this site,
        so several server processes bake a busy post once a batch, not once each.
        """
        with self._changed:
            while not self._stopping and self._urgent <= started:
                latest = max(ended, self._worker.last_pass() or ended)
                batch_due, poll_due = latest + self._batch, latest + self._poll
                now = time.monotonic()
                if now >= poll_due or (self._issued > started and now >= batch_due):
                    return
                self._changed.wait((batch_due if self._issued > started else poll_due) - now)

    def _pass(self, started: int) -> None:
        self._attempt(lambda: self._worker.run_pass(on_durable=lambda: self._cover(started), rest=self._rest))
        # A failed pass releases its waiters too: waiting longer would not bake their pages.
        self._cover(started)

    def _rest(self, seconds: float) -> None:
        """Between the posts of a pass, leave the interpreter to request threads as long as the last bake held it.

        This thread shares the interpreter with the service's request threads: baking a
        busy site's posts back to back slowed every answer meanwhile (measured: a tenth off
        the intake's 99th percentile when resting). Nobody waits longer for it: a wake that
        someone waits for ends the rest.
        """
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self._urgent > self._covered, seconds)

    def _cover(self, ticket: int) -> None:
        with self._changed:
            if ticket > self._covered:
                self._covered = ticket
                self.durable_at = time.perf_counter()
            self._changed.notify_all()

    @staticmethod
    def _attempt(step: Callable[[], object]) -> None:
        try:
            step()
        except (SQLAlchemyError, OSError):
            log.exception("kiln: the bake worker will retry after an error")
