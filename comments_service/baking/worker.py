"""Apply queued bakes a pass at a time: for the bake thread (trigger.py), `flask bake-worker` and `flask build`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ..background.lease import LeaseTerms
from ..store.bake_jobs import Job, finish_all, pending, record_failure
from ..store.database import database
from ..store.models import utcnow
from .atomic import sweep_drafts
from .lock import site_lock
from .pass_bake import PassBake
from .pass_stamp import last_pass, stamp_pass
from .pelican_site import Site

log = logging.getLogger(__name__)


class BakeWorker:
    """Bakes every queued post of one site, each from the store's newest state."""

    def __init__(self, site: Site, after_batch: Callable[[list[Path]], object], terms: LeaseTerms) -> None:
        self.site = site
        self.after_batch = after_batch
        # When a failed bake is tried again: the queue's backoff (the site lock is its claim).
        self.terms = terms

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
        # A first look without the lock, so an idle poll takes none; _bake reads the queue again under it.
        with database(url).transaction() as session:
            jobs = pending(session)
        changed: list[Path] = []
        baked = self._bake(jobs, changed, rest) if jobs else []
        if on_durable is not None:
            on_durable()
        if baked:
            finish_all(url, baked)
            stamp_pass(self.site.output)
        if changed:
            self.after_batch(changed)
        return changed

    def _bake(self, jobs: list[Job], changed: list[Path], rest: Callable[[float], object] | None) -> list[Job]:
        """Bake the jobs' posts under one hold of the site lock, the files they share once; return the jobs baked."""
        url = self.site.database_url
        with site_lock(self.site.output):
            # Read again under the lock: another process's pass may have baked some meanwhile
            # (a bumped version is fine: it was read before this pass reads the comments, so a
            # change committed after that read keeps its job for another bake).
            with database(url).transaction() as session:
                due = {job.slug for job in jobs}
                queued = {job.slug: job for job in pending(session) if job.slug in due}
            try:
                baked = PassBake(self.site).run(list(queued), changed, partial(self._failed, queued), rest)
            # As for a post: a template's error must not stop the worker. The posts stay
            # queued, to be baked again by the next pass.
            except Exception:  # noqa: BLE001
                log.exception("kiln: writing the files that several posts share failed")
                return []
        return [queued[slug] for slug in baked]

    def _failed(self, queued: dict[str, Job], slug: str, error: Exception) -> None:
        """Record a post's failed bake on its job, for the next pass to retry."""
        log.exception("kiln: baking %s failed", slug)
        with database(self.site.database_url).transaction() as session:
            job = queued[slug]
            retry_at = utcnow() + self.terms.retry_delay(job.attempts + 1)
            record_failure(session, job, f"{type(error).__name__}: {error}", retry_at)
