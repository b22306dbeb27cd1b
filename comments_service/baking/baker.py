"""What a bake writes: a post's regions spliced into the pages that show it, its comment feed and the site feed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy.orm import Session

from ..rendering.feeds import PostFeed, render_post_feed, render_site_feed
from ..rendering.render import REGION_TEMPLATES, render_region, start_marker
from ..rendering.thread_view import ThreadView
from ..store.threads import FeedEntry, latest_comments
from .atomic import FileIdentity, file_identity, write_all_atomic
from .manifest import Manifest
from .pelican_site import Site
from .splice import splice_regions


def post_feed(site: Site, manifest: Manifest, feed: PostFeed | None) -> list[tuple[Path, bytes]]:
    """Return the post's comment feed file if its new rendering differs."""
    feed_path = manifest.feed_for(feed.slug) if feed else None
    if not feed or not feed_path:
        return []
    return _rerendered(site.output / feed_path, partial(render_post_feed, feed, site.options))


def write_with_site_feed(
    updates: list[tuple[Path, bytes]], site_feed: Path | None, latest: list[FeedEntry] | None, site: Site
) -> list[Path]:
    """Write updates and the site feed's new entries (None: unchanged) durably; return the files written."""
    if site_feed and latest is not None:
        updates = updates + _rerendered(site_feed, partial(render_site_feed, latest, site.options))
    written = write_files(updates)
    if site_feed and latest is not None:
        _memos[site_feed] = _SiteFeedMemo(file_identity(site_feed), tuple(latest))
    return written


def write_files(updates: list[tuple[Path, bytes]]) -> list[Path]:
    """Write updates durably, all or none; return the files written."""
    write_all_atomic(updates)
    return [path for path, _data in updates]


def rendered_pages(
    site: Site, manifest: Manifest, slug: str, view: ThreadView, files: list[str]
) -> tuple[list[tuple[Path, bytes]], dict[str, str]]:
    """Render a post's regions; return those of files (relative paths) that change, and the regions."""
    if not manifest.files_for(slug):
        return [], {}
    texts, pages = read_pages(site, files)
    # The comments a page shows now, rendered from the same values, are reused from it.
    previous = next((text for text in texts.values() if start_marker("comments", slug) in text), "")
    regions = {name: render_region(name, view, site.options, previous=previous) for name in REGION_TEMPLATES}
    updates = []
    for path, text in texts.items():
        updates += if_changed(path, splice_regions(text, slug, regions).encode("utf-8"), pages[path])
    return updates, regions


def read_pages(site: Site, files: list[str]) -> tuple[dict[Path, str], dict[Path, bytes | None]]:
    """Read output files (relative paths): the text of those that exist, and every one's bytes."""
    pages = {site.output / relative: _read(site.output / relative) for relative in files}
    return {path: old.decode("utf-8") for path, old in pages.items() if old is not None}, pages


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _rerendered(path: Path, render: Callable[[str], bytes]) -> list[tuple[Path, bytes]]:
    """Render a feed from the text of the file it replaces (whose unchanged entries it reuses); [] if unchanged."""
    old = _read(path)
    try:
        previous = old.decode("utf-8") if old else ""
    except UnicodeDecodeError:
        previous = ""
    return if_changed(path, render(previous), old)


def if_changed(path: Path, new: bytes, old: bytes | None) -> list[tuple[Path, bytes]]:
    """Return [(path, new)] unless path held exactly new (old: its bytes, None if missing)."""
    return [] if new == old else [(path, new)]


@dataclass(frozen=True)
class _SiteFeedMemo:
    """The entries of the site feed file as this process last wrote or checked it."""

    identity: FileIdentity | None
    entries: tuple[FeedEntry, ...]


_memos: dict[Path, _SiteFeedMemo] = {}


class SiteFeedUpdate:
    """The site feed's entries after the bakes of some posts: the site's latest approved comments.

    If the feed file is as this process last wrote it and shows nothing of the baked posts,
    then no other post's entries changed here, so its new entries are the latest of its old
    ones and the baked posts' own: no query over the whole site. (A change elsewhere is
    merged by the bake of its own post.) Otherwise they are read from the store.
    """

    def __init__(self, length: int) -> None:
        self._length = length
        self._slugs: set[str] = set()
        # The latest entries of the baked posts' feeds, no more than the site feed shows.
        self._latest: list[FeedEntry] = []

    def add(self, slug: str, feed: PostFeed | None) -> None:
        """Note a baked post and its feed's entries."""
        self._slugs.add(slug)
        if feed is not None:
            self._latest = self._newest([*self._latest, *feed.entries])

    def entries(self, session: Session, path: Path) -> list[FeedEntry] | None:
        """Return the site feed's entries now, or None if they stay as path shows them."""
        memo = _memos.get(path)
        if (
            memo is None
            or memo.identity != file_identity(path)
            or any(e.post_slug in self._slugs for e in memo.entries)
        ):
            return latest_comments(session, self._length)
        merged = self._newest([*memo.entries, *self._latest])
        return None if merged == list(memo.entries) else merged

    def _newest(self, entries: list[FeedEntry]) -> list[FeedEntry]:
        return sorted(entries, key=lambda e: e.order, reverse=True)[: self._length]
