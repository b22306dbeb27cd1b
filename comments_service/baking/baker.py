"""Incremental bakes: refresh one post's comment data in every file that shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from ..rendering.feeds import FeedEntry, PostFeed, render_post_feed, render_site_feed
from ..rendering.render import REGION_TEMPLATES, render_region
from ..rendering.thread_view import ThreadView
from ..store import latest_comments, views_and_feeds
from .atomic import FileIdentity, file_identity, write_all_atomic
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
        views, feeds = views_and_feeds(session, [slug])
        feed = feeds.get(slug)
        updates = _regions(site, manifest, slug, views[slug])
        feed_path = manifest.feed_for(slug)
        if feed_path and feed:
            updates += _changed(site.output / feed_path, render_post_feed(feed, site.options))
        site_feed = site.output / manifest.site_feed if manifest.site_feed else None
        latest = None
        if site_feed and not _leaves_site_feed_alone(site_feed, slug, feed):
            latest = latest_comments(session, site.options.feed_length)
            updates += _changed(site_feed, render_site_feed(latest, site.options))
        write_all_atomic(updates)
        if site_feed and latest is not None:
            _remember(site_feed, latest, site.options.feed_length)
    return [path for path, _data in updates]


def _regions(site: Site, manifest: Manifest, slug: str, view: ThreadView) -> list[tuple[Path, bytes]]:
    files = manifest.files_for(slug)
    if not files:
        return []
    regions = {name: render_region(name, view, site.options) for name in REGION_TEMPLATES}
    updates = []
    for relative in files:
        path = site.output / relative
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            continue
        updates += _changed(path, splice_regions(old.decode("utf-8"), slug, regions).encode("utf-8"), old)
    return updates


def _changed(path: Path, new: bytes, old: bytes | None = None) -> list[tuple[Path, bytes]]:
    """Return [(path, new)] unless path already holds exactly new."""
    if old is None:
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            old = None
    return [] if new == old else [(path, new)]


@dataclass(frozen=True)
class _SiteFeedMemo:
    """What the site feed file this process last rendered holds."""

    identity: FileIdentity | None
    slugs: frozenset[str]
    # The order key of the oldest entry of a full feed; None while every approved comment fits.
    cutoff: tuple[datetime, int] | None


_memos: dict[Path, _SiteFeedMemo] = {}


def _remember(path: Path, latest: list[FeedEntry], length: int) -> None:
    cutoff = latest[-1].order if len(latest) >= length else None
    _memos[path] = _SiteFeedMemo(file_identity(path), frozenset(e.post_slug for e in latest), cutoff)


def _leaves_site_feed_alone(path: Path, slug: str, feed: PostFeed | None) -> bool:
    """Tell, without querying every post, that a change to slug cannot alter the site feed.

    It cannot if the feed file is as this process wrote it, shows nothing of slug, and slug
    has no approved comment, or (when the feed is full) only ones older than its oldest
    entry. Every change bakes its own post, so a change elsewhere is checked by that bake.
    """
    memo = _memos.get(path)
    if memo is None or slug in memo.slugs or memo.identity != file_identity(path):
        return False
    if not (feed and feed.entries):
        return True
    return memo.cutoff is not None and feed.entries[0].order < memo.cutoff
