"""Thread views and feeds, built from the rows the store reads for them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from ..store.threads import visible_threads
from .feeds import PostFeed, build_feed
from .thread_view import ThreadView, build_view, empty_view


def views_and_feeds(session: Session, slugs: Iterable[str]) -> tuple[dict[str, ThreadView], dict[str, PostFeed]]:
    """Return, from the same two queries, each post's thread view and, for posts with a thread, its feed."""
    slugs = list(slugs)
    views = {slug: empty_view(slug) for slug in slugs}
    feeds = {}
    for thread, rows in visible_threads(session, slugs):
        views[thread.slug] = build_view(thread, rows)
        feeds[thread.slug] = build_feed(thread, rows)
    return views, feeds
