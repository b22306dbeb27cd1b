"""Incremental bakes: refresh posts' comment data in every file that shows it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ..rendering.feeds import FeedEntry, PostFeed, render_post_feed, render_site_feed
from ..rendering.render import REGION_TEMPLATES, render_region
from ..store import latest_comments, views_and_feeds
from .atomic import FileIdentity, file_identity, write_all_atomic
from .lock import site_lock
from .manifest import Manifest
from .site import Site
from .splice import splice_regions


def bake_thread(session: Session, site: Site, slug: str) -> list[Path]:
    """Re-render a post's comment regions and feeds from the store; write and return the files that changed."""
    changed, failures = bake_posts(session, site, [slug])
    for error in failures.values():
        raise error
    return changed


def bake_posts(session: Session, site: Site, slugs: list[str]) -> tuple[list[Path], dict[str, Exception]]:
    """Bake several posts at once; return the files that changed and the posts whose rendering failed.

    Each file is written once however many of the posts it shows (an index page, the site
    feed), all in one round of durable writes. The store is read under the site lock, so
    pass a session whose transaction has not started yet: then the last bake to take the
    lock writes the newest state.
    """
    failures: dict[str, Exception] = {}
    with site_lock(site.output):
        manifest = Manifest.load(site.output)
        views, feeds = views_and_feeds(session, slugs)
        pages = _Pages(site.output)
        post_feeds: list[tuple[Path, bytes, bytes | None]] = []
        for slug in slugs:
            # Templates are the theme's code: whatever one raises fails its post, not the others.
            try:
                regions = {name: render_region(name, views[slug], site.options) for name in REGION_TEMPLATES}
                feed, feed_path = feeds.get(slug), manifest.feed_for(slug)
                if feed_path and feed:
                    old = _read(site.output / feed_path)
                    new = render_post_feed(feed, site.options, _text(old))
                    post_feeds.append((site.output / feed_path, new, old))
            except Exception as error:  # noqa: BLE001
                failures[slug] = error
                continue
            pages.splice(manifest.files_for(slug), slug, regions)
        updates = pages.changed() + [u for path, new, old in post_feeds for u in _changed(path, new, old)]
        baked = [slug for slug in slugs if slug not in failures]
        site_feed = site.output / manifest.site_feed if manifest.site_feed else None
        latest = _new_site_feed(session, site, site_feed, baked, feeds) if site_feed and baked else None
        if site_feed and latest is not None:
            old = _read(site_feed)
            updates += _changed(site_feed, render_site_feed(latest, site.options, _text(old)), old)
        write_all_atomic(updates)
        if site_feed and latest is not None:
            _memos[site_feed] = _SiteFeedMemo(file_identity(site_feed), tuple(latest))
    return [path for path, _data in updates], failures


class _Pages:
    """Built pages being spliced, each read once and changed by every post it shows."""

    def __init__(self, output: Path) -> None:
        self._output = output
        self._pages: dict[Path, tuple[bytes, str]] = {}

    def splice(self, files: list[str], slug: str, regions: dict[str, str]) -> None:
        """Replace slug's regions in each of its files that exists."""
        for relative in files:
            path = self._output / relative
            if path not in self._pages:
                old = _read(path)
                if old is None:
                    continue
                self._pages[path] = (old, old.decode("utf-8"))
            old, text = self._pages[path]
            self._pages[path] = (old, splice_regions(text, slug, regions))

    def changed(self) -> list[tuple[Path, bytes]]:
        """Return the pages whose bytes changed, with their new bytes."""
        return [u for path, (old, text) in self._pages.items() for u in _changed(path, text.encode("utf-8"), old)]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _text(data: bytes | None) -> str:
    """Return a file's text for reuse of its feed entries ('' if it is missing or not UTF-8)."""
    try:
        return data.decode("utf-8") if data else ""
    except UnicodeDecodeError:
        return ""


def _changed(path: Path, new: bytes, old: bytes | None) -> list[tuple[Path, bytes]]:
    """Return [(path, new)] unless path held exactly new (old: its bytes, None if missing)."""
    return [] if new == old else [(path, new)]


@dataclass(frozen=True)
class _SiteFeedMemo:
    """The entries of the site feed file as this process last wrote or checked it."""

    identity: FileIdentity | None
    entries: tuple[FeedEntry, ...]


_memos: dict[Path, _SiteFeedMemo] = {}


def _new_site_feed(
    session: Session, site: Site, path: Path, slugs: list[str], feeds: dict[str, PostFeed]
) -> list[FeedEntry] | None:
    """Return the site feed's entries after a change to slugs, or None if they stay the same.

    The feed holds the site's latest approved comments. If it is as this process wrote it
    and shows nothing of slugs, then no other post's entries changed here, so its new
    entries are the latest of its old ones and those of slugs: no query over the whole site.
    (A change elsewhere is merged by the bake of its own post.)
    """
    length = site.options.feed_length
    memo = _memos.get(path)
    baked = set(slugs)
    if memo is None or memo.identity != file_identity(path) or any(e.post_slug in baked for e in memo.entries):
        return latest_comments(session, length)
    fresh = [entry for slug in slugs if slug in feeds for entry in feeds[slug].entries]
    merged = sorted([*memo.entries, *fresh], key=lambda e: e.order, reverse=True)
    return None if merged[:length] == list(memo.entries) else merged[:length]
