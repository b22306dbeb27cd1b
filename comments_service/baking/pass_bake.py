"""A pass over several posts: each post's own files baked in turn, the files they share written once after them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from ..store import latest_comments, views_and_feeds
from .baker import post_feed, read_pages, rendered_pages, spliced, write_with_site_feed
from .manifest import Manifest
from .site import Site


class PassBake:
    """Bakes several posts; index, category and author pages and the site feed are written once, by finish().

    The caller holds the site lock from the first bake until finish() returns: the
    regions kept for the shared files were read from the store under it, so no other
    bake can write a newer state in between.
    """

    def __init__(self, site: Site) -> None:
        self.site = site
        self.manifest = Manifest.load(site.output)
        self._regions: dict[str, dict[str, str]] = {}

    def bake(self, session: Session, slug: str) -> list[Path]:
        """Write the files that show only this post (its page, its feed); keep its regions for the shared ones."""
        shared = self.manifest.shared_files()
        views, feeds = views_and_feeds(session, [slug])
        own = [relative for relative in self.manifest.files_for(slug) if relative not in shared]
        updates, regions = rendered_pages(self.site, self.manifest, slug, views[slug], own)
        if regions:
            self._regions[slug] = regions
        updates += post_feed(self.site, self.manifest, feeds.get(slug))
        return write_with_site_feed(updates, None, None, self.site)

    def finish(self, session: Session) -> list[Path]:
        """Write the shared files with every baked post's regions, and the site feed from the store."""
        shared = self.manifest.shared_files()
        touched = sorted({f for slug in self._regions for f in self.manifest.files_for(slug) if f in shared})
        texts, pages = read_pages(self.site, touched)
        site_feed = self.manifest.site_feed
        path = self.site.output / site_feed if site_feed else None
        latest = latest_comments(session, self.site.options.feed_length) if path else None
        return write_with_site_feed(spliced(texts, pages, self._regions), path, latest, self.site)
