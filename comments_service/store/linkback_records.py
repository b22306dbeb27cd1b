"""Named queries and writes for linkbacks received and sent."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Comment, SentLinkback, Thread, utcnow


def thread_by_url(session: Session, url: str) -> Thread | None:
    """Return the thread of the post published at url (relative to the site, as Pelican writes it)."""
    return session.scalar(select(Thread).where(Thread.url == url))


def threads_created_since(session: Session, moment: datetime) -> list[Thread]:
    """Return the threads of posts first seen at or after moment."""
    return list(session.scalars(select(Thread).where(Thread.created >= moment).order_by(Thread.id)))


def linkback_key(thread: Thread, source_url: str) -> str:
    """Return the dedupe key that makes one linkback per post and source unique in the store."""
    return hashlib.sha256(f"linkback\n{thread.id}\n{source_url}".encode()).hexdigest()


def find_linkback(session: Session, thread: Thread, source_url: str) -> Comment | None:
    """Return the linkback already received on a post from source_url, of any protocol."""
    return session.scalar(select(Comment).where(Comment.dedupe_key == linkback_key(thread, source_url)))


def sent_to(session: Session, slug: str) -> dict[str, SentLinkback]:
    """Return what was sent from a post so far, by target URL."""
    rows = session.scalars(select(SentLinkback).where(SentLinkback.thread_slug == slug))
    return {row.target_url: row for row in rows}


def record_sent(session: Session, row: SentLinkback | None, slug: str, target: str, **outcome: str) -> SentLinkback:
    """Create or update the record of a linkback sent from slug to target."""
    row = row or SentLinkback(thread_slug=slug, target_url=target)
    for name, value in outcome.items():
        setattr(row, name, value)
    row.sent_at = utcnow()
    session.add(row)
    return row
