"""Named queries an import runs: what the store holds already, so nothing is added twice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .models import AuditEntry, Comment, SentLinkback, SpamCorpus, SpamToken, Thread, User

CHUNK = 500


def thread_slugs_and_urls(session: Session) -> list[tuple[str, str]]:
    """Return every thread's slug and site-relative URL."""
    return [(slug, url) for slug, url in session.execute(select(Thread.slug, Thread.url))]


def threads_with_slugs(session: Session, slugs: list[str]) -> list[Thread]:
    """Return the stored threads among the given slugs."""
    return [t for chunk in _chunks(slugs) for t in session.scalars(select(Thread).where(Thread.slug.in_(chunk)))]


def imported_origins(session: Session, origins: list[str]) -> dict[str, tuple[int, int]]:
    """Return the stored comments among the given origins: origin → (comment id, thread id)."""
    known: dict[str, tuple[int, int]] = {}
    for chunk in _chunks(origins):
        query = select(Comment.origin, Comment.id, Comment.thread_id).where(Comment.origin.in_(chunk))
        known.update({o: (row_id, thread_id) for o, row_id, thread_id in session.execute(query) if o})
    return known


def all_users(session: Session) -> list[User]:
    """Return every account."""
    return list(session.scalars(select(User)))


def all_threads(session: Session) -> list[Thread]:
    """Return every thread."""
    return list(session.scalars(select(Thread)))


def all_comments(session: Session) -> list[Comment]:
    """Return every comment, of any kind and state."""
    return list(session.scalars(select(Comment)))


def taken_comment_ids(session: Session, wanted: list[int]) -> set[int]:
    """Return the ids among wanted that stored comments have."""
    return set(session.scalars(select(Comment.id).where(Comment.id.in_(wanted)))) if wanted else set()


def advance_comment_ids(session: Session) -> None:
    """Move PostgreSQL's comment id sequence past comments inserted with explicit ids (SQLite needs no help)."""
    if session.get_bind().dialect.name == "postgresql":
        # Rows inserted with explicit ids leave the id sequence behind; move it past them.
        session.execute(text("SELECT setval(pg_get_serial_sequence('comments', 'id'), (SELECT MAX(id) FROM comments))"))


def audit_values(session: Session, columns: tuple[str, ...]) -> set[tuple[Any, ...]]:
    """Return the stored audit entries as tuples of the given columns."""
    return {tuple(row) for row in session.execute(select(*(getattr(AuditEntry, c) for c in columns)))}


def sent_linkback_keys(session: Session) -> set[tuple[str, str]]:
    """Return the (post slug, target URL) of every linkback sent."""
    return {
        (r.thread_slug, r.target_url)
        for r in session.execute(select(SentLinkback.thread_slug, SentLinkback.target_url))
    }


def spam_filter_trained(session: Session) -> bool:
    """Tell whether the store's learning spam filter holds any training already."""
    return bool(session.scalar(select(SpamCorpus.id).limit(1)) or session.scalar(select(SpamToken.token).limit(1)))


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
