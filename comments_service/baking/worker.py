"""Apply queued bakes a pass at a time: for the bake thread (trigger.py), `flask bake-worker` and `flask build`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from ..store.bake_jobs import Job, finish_all, pending, record_failure
from ..store.database import session_scope
from .atomic import sweep_drafts
from .baker import bake_thread
from .lock import site_lock
from .pass_bake import PassBake
from .pass_stamp import last_pass, stamp_pass
from .pelican_site import Site

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
        cannot keep one pass going (the bake thread decides when the next one starts).
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
