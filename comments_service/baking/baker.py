"""Incremental bakes: refresh one post's comment data in every file that shows it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from ..rendering.feeds import render_post_feed, render_site_feed
from ..rendering.render import REGION_TEMPLATES, render_region
from ..store import latest_comments, post_feeds, thread_view
from .atomic import write_atomic
from .lock import site_lock
from .manifest import Manifest
from .site import Site
from .splice import splice_regions


def bake_thread(session: Session, site: Site, slug: str) -> list[Path]:
    """Re-render a post's comment regions and feeds from the store; write and return the files that changed.

    The store is read under the site lock, so pass a session whose transaction has not
    started yet: then the last bake to take the lock writes the newest state.
    """
    with site_lock(site.output):
        manifest = Manifest.load(site.output)
        changed = _bake_regions(session, site, manifest, slug)
        feed_path = manifest.feed_for(slug)
        feed = post_feeds(session, [slug]).get(slug)
        if feed_path and feed:
            changed += _replace(site.output / feed_path, render_post_feed(feed, site.options))
        if manifest.site_feed:
            latest = latest_comments(session, site.options.feed_length)
            changed += _replace(site.output / manifest.site_feed, render_site_feed(latest, site.options))
    return changed


def _bake_regions(session: Session, site: Site, manifest: Manifest, slug: str) -> list[Path]:
    files = manifest.files_for(slug)
    if not files:
        return []
    view = thread_view(session, slug)
    regions = {name: render_region(name, view, site.options) for name in REGION_TEMPLATES}
    changed: list[Path] = []
    for relative in files:
        path = site.output / relative
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            continue
        changed += _replace(path, splice_regions(old.decode("utf-8"), slug, regions).encode("utf-8"), old)
    return changed


def _replace(path: Path, new: bytes, old: bytes | None = None) -> list[Path]:
    """Write new over path unless it already holds exactly that; return [path] if it changed."""
    if old is None:
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            old = None
    if new == old:
        return []
    write_atomic(path, new)
    return [path]
