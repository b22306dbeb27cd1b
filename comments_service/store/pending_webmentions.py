"""The pending webmentions table's queries: store a mention, claim the next due one, settle it."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import PendingWebmention


def mention_key(source: str, target: str) -> str:
    """Return the key that makes one pending row per source and target."""
    return hashlib.sha256(f"webmention\n{source}\n{target}".encode()).hexdigest()


def store_mention(
    session: Session, slug: str, source: str, target: str, ip: str, user_agent: str, now: datetime
) -> None:
    """Add a mention to verify, or make a pending one from the same source to the same target due again.

    The caller commits. A row being verified right now keeps its lease: its worker sees the reset
    attempt count when it settles and leaves the row for another pass, so the new mention is checked too.
    """
    values = {
        "key": mention_key(source, target),
        "source": source,
        "target": target,
        "thread_slug": slug,
        "ip": ip[:45],
        "user_agent": user_agent[:500],
        "received": now,
        "attempts": 0,
        "next_attempt": now,
        "last_error": "",
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(PendingWebmention).values(values)
    # Atomic on both backends, so two racing requests cannot both insert.
    again = {name: insert.excluded[name] for name in values if name not in ("key", "source", "target")}
    session.execute(insert.on_conflict_do_update(index_elements=["key"], set_=again))


def _claimable(now: datetime, max_attempts: int) -> ColumnElement[bool]:
    return and_(
        PendingWebmention.next_attempt <= now,
        PendingWebmention.attempts < max_attempts,
        or_(PendingWebmention.leased_until.is_(None), PendingWebmention.leased_until <= now),
    )


def claim_next(session: Session, now: datetime, max_attempts: int, lease: timedelta) -> PendingWebmention | None:
    """Take the oldest due mention for this worker, counting the attempt; the caller commits."""
    due = (
        select(PendingWebmention.id)
        .where(_claimable(now, max_attempts))
        .order_by(PendingWebmention.next_attempt, PendingWebmention.id)
        .limit(20)
    )
    for mention_id in session.scalars(due).all():
        # As in the mail outbox: the conditional update is the lock. Whoever sets the lease first owns
        # the row; another worker's update then matches nothing. A lease left by a dead worker expires.
        claimed = session.execute(
            update(PendingWebmention)
            .where(PendingWebmention.id == mention_id, _claimable(now, max_attempts))
            .values(attempts=PendingWebmention.attempts + 1, leased_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return session.get(PendingWebmention, mention_id, populate_existing=True)
    return None


def settle(session: Session, claimed: PendingWebmention, retry_at: datetime | None, error: str = "") -> None:
    """End a claim: forget a verified mention, or record why it failed and when to retry; the caller commits.

    If the same mention arrived again meanwhile (its attempt count was reset), the row only loses its
    lease, so the newer mention is verified in turn.
    """
    ours = and_(PendingWebmention.id == claimed.id, PendingWebmention.leased_until == claimed.leased_until)
    unchanged = and_(ours, PendingWebmention.attempts == claimed.attempts)
    if retry_at is None:
        done = session.execute(delete(PendingWebmention).where(unchanged))
    else:
        failed = {"last_error": error[:2000], "next_attempt": retry_at, "leased_until": None}
        done = session.execute(update(PendingWebmention).where(unchanged).values(failed))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(update(PendingWebmention).where(ours).values(leased_until=None))


def count_waiting(session: Session, max_attempts: int) -> int:
    """Count stored mentions that will still be verified."""
    query = select(func.count()).where(PendingWebmention.attempts < max_attempts)
    return int(session.scalar(query) or 0)
