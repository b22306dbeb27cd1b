"""A pass over several posts: each post's own files baked in turn, the files they share written once after them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from ..rendering.loading import views_and_feeds
from ..store.threads import latest_comments
from .baker import if_changed, post_feed, read_pages, rendered_pages, write_files, write_with_site_feed
from .manifest import Manifest
from .site import Site
from .splice import splice_regions


class PassBake:
    """Bakes several posts; index, category and author pages and the site feed are written once, by finish().

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

    def bake(self, session: Session, slug: str) -> list[Path]:
        """Write the files that show only this post (its page, its feed); splice it into the shared ones in memory."""
        shared = self.manifest.shared_files()
        views, feeds = views_and_feeds(session, [slug])
        files = self.manifest.files_for(slug)
        own = [relative for relative in files if relative not in shared]
        updates, regions = rendered_pages(self.site, self.manifest, slug, views[slug], own)
        updates += post_feed(self.site, self.manifest, feeds.get(slug))
        written = write_files(updates)
        # Only once its own files are on disk: a post whose bake fails leaves the shared ones as they were.
        self._splice_shared([relative for relative in files if relative in shared], slug, regions)
        return written

    def finish(self, session: Session) -> list[Path]:
        """Write the shared files with every baked post's regions, and the site feed from the store."""
        site_feed = self.manifest.site_feed
        path = self.site.output / site_feed if site_feed else None
        latest = latest_comments(session, self.site.options.feed_length) if path else None
        updates = []
        for page, text in self._texts.items():
            updates += if_changed(page, text.encode("utf-8"), self._read[page])
        return write_with_site_feed(updates, path, latest, self.site)

    def _splice_shared(self, files: list[str], slug: str, regions: dict[str, str]) -> None:
        """Splice a post's regions into the shared files it shows in, each read once a pass."""
        unread = [relative for relative in files if self.site.output / relative not in self._read]
        texts, pages = read_pages(self.site, unread)
        self._read.update(pages)
        self._texts.update(texts)
        for path in (self.site.output / relative for relative in files):
            if path in self._texts:
                self._texts[path] = splice_regions(self._texts[path], slug, regions)
