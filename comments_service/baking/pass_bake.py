"""The one bake path, for one post or many: each post's own files in turn, the files they share once after them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from ..rendering.loading import views_and_feeds
from ..store.database import database
from .baker import SiteFeedUpdate, if_changed, post_feed, read_pages, rendered_pages, write_files, write_with_site_feed
from .lock import site_lock
from .manifest import Manifest
from .pelican_site import Site
from .splice import splice_regions


class PassBake:
    """Bakes posts; index, category and author pages and the site feed are written once, by finish().

    The caller holds the site lock from the first bake until finish() returns: the
    regions spliced into the shared files were read from the store under it, so no
    other bake can write a newer state in between.
    """

    def __init__(self, site: Site) -> None:
        self.site = site
        self.manifest = Manifest.load(site.output)
        # The shared files as read (bytes) and as spliced so far (text): small listing pages,
        # where keeping each post's regions instead would hold whole comment sections.
        self._read: dict[Path, bytes | None] = {}
        self._texts: dict[Path, str] = {}
        self._site_feed = SiteFeedUpdate(site.options.feed_length)
        # The last post's own files, written by finish() in one batch with the shared ones.
        self._held: list[tuple[Path, bytes]] = []
        # The posts' own files written so far.
        self._written: list[Path] = []

    def bake(self, session: Session, slug: str, hold: bool = False) -> list[Path]:
        """Write the files that show only this post (its page, its feed); splice it into the shared ones in memory.

        With hold, its files are kept for finish() instead, which writes them with the shared
        ones: the last post of a pass (a moderator's approval is a pass of one) waits for one
        round of writes to reach the disk, not two.
        """
        shared = self.manifest.shared_files()
        views, feeds = views_and_feeds(session, [slug])
        files = self.manifest.files_for(slug)
        own = [relative for relative in files if relative not in shared]
        updates, regions = rendered_pages(self.site, self.manifest, slug, views[slug], own)
        updates += post_feed(self.site, self.manifest, feeds.get(slug))
        written = [] if hold else write_files(updates)
        # Once its own files are rendered (and, unless held, on disk): a post whose bake fails
        # leaves the shared ones as they were.
        self._splice_shared([relative for relative in files if relative in shared], slug, regions)
        self._site_feed.add(slug, feeds.get(slug))
        if hold:
            self._held += updates
        return written

    def finish(self, session: Session) -> list[Path]:
        """Write the shared files with every baked post's regions, and the site feed's new entries."""
        site_feed = self.manifest.site_feed
        path = self.site.output / site_feed if site_feed else None
        latest = self._site_feed.entries(session, path) if path else None
        updates, self._held = self._held, []
        for page, text in self._texts.items():
            updates += if_changed(page, text.encode("utf-8"), self._read[page])
        return write_with_site_feed(updates, path, latest, self.site)

    def run(
        self,
        slugs: Iterable[str],
        changed: list[Path],
        failed: Callable[[str, Exception], object] | None = None,
        rest: Callable[[float], object] | None = None,
    ) -> list[str]:
        """Bake each post, each from a session of its own, then finish; add the files written to changed.

        Returns the posts baked. A post whose bake raises is passed to failed and left out
        (without failed, the error ends the pass before finish). rest is called between
        posts with the processor time the last one's bake took.
        """
        baked: list[str] = []
        took: float | None = None
        *others, last = list(slugs) or [""]
        for slug in others:
            if rest is not None and took is not None:
                rest(took)
            began = time.thread_time()
            # A session per post: each bake reads the store afresh, under the site lock.
            with database(self.site.database_url).transaction() as session:
                self._bake_one(session, slug, baked, failed)
            took = time.thread_time() - began
        if rest is not None and took is not None:
            rest(took)
        # The last post and the shared files from one read of the store: a pass of one (an
        # approval) opens one transaction. An error in finish() ends the pass.
        with database(self.site.database_url).transaction() as session:
            if last:
                self._bake_one(session, last, baked, failed, hold=True)
            changed += self._written
            if baked:
                changed += self.finish(session)
        return baked

    def _bake_one(
        self,
        session: Session,
        slug: str,
        baked: list[str],
        failed: Callable[[str, Exception], object] | None,
        hold: bool = False,
    ) -> None:
        """Bake one post; add it to baked, or pass its error to failed (without failed, raise it)."""
        try:
            self._written += self.bake(session, slug, hold=hold)
        # Templates are the theme's code: whatever one raises goes to failed (the worker
        # records it on the job), instead of stopping every other post's bake.
        except Exception as error:  # noqa: BLE001
            if failed is None:
                raise
            session.rollback()
            failed(slug, error)
        else:
            baked.append(slug)

    def _splice_shared(self, files: list[str], slug: str, regions: dict[str, str]) -> None:
        """Splice a post's regions into the shared files it shows in, each read once a pass."""
        unread = [relative for relative in files if self.site.output / relative not in self._read]
        texts, pages = read_pages(self.site, unread)
        self._read.update(pages)
        self._texts.update(texts)
        for path in (self.site.output / relative for relative in files):
            if path in self._texts:
                self._texts[path] = splice_regions(self._texts[path], slug, regions)


def bake_posts(
    site: Site, slugs: Iterable[str], failed: Callable[[str, Exception], object] | None = None
) -> list[Path]:
    """Bake posts now, under one hold of the site lock, each from the store's newest state; return the files written."""
    changed: list[Path] = []
    with site_lock(site.output):
        PassBake(site).run(slugs, changed, failed)
    return changed
