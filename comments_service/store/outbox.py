"""The outbox table's queries: queue a message, claim the next due one, record how sending went."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .models import OutboxMessage


def enqueue(session: Session, recipient: str, subject: str, body: str, unsubscribe_url: str = "") -> OutboxMessage:
    """Stage a message for sending; the caller commits."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, unsubscribe_url=unsubscribe_url)
    session.add(message)
    session.flush()
    return message


def claim_next(session: Session, now: datetime, max_attempts: int, lease: timedelta) -> OutboxMessage | None:
    """Take the oldest due message for this process, counting the attempt; the caller commits."""
    due = (
        select(OutboxMessage.id, OutboxMessage.attempts)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt <= now,
            OutboxMessage.attempts < max_attempts,
        )
        .order_by(OutboxMessage.next_attempt, OutboxMessage.id)
        .limit(20)
    )
    for message_id, attempts in session.execute(due).all():
        # Whoever bumps the attempt count first owns the message; another worker's update then
        # matches nothing. The lease hides it from others while it is being sent, and lets it
        # come back if this process dies mid-send.
        claimed = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.attempts == attempts, OutboxMessage.sent_at.is_(None))
            .values(attempts=attempts + 1, next_attempt=now + lease)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return session.get(OutboxMessage, message_id, populate_existing=True)
    return None


def mark_sent(session: Session, message_id: int, now: datetime) -> None:
    """Record that a message was handed to the SMTP server; the caller commits."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(sent_at=now, last_error=""))


def mark_failed(session: Session, message_id: int, error: str, retry_at: datetime) -> None:
    """Record why sending failed and when to try again; the caller commits."""
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(last_error=error, next_attempt=retry_at)
    )


def count_waiting(session: Session, max_attempts: int) -> int:
    """Count unsent messages that will still be tried."""
    query = select(func.count()).where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < max_attempts)
    return int(session.scalar(query) or 0)
