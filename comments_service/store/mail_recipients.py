"""Named queries on who gets Kiln's email: moderating accounts, and reply subscriptions."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .models import Comment, Role, Thread, User

MODERATING_ROLES = (Role.ADMIN, Role.MODERATOR)


def moderating_accounts(session: Session) -> list[User]:
    """Return the accounts that may moderate and have an email address, oldest first."""
    query = select(User).where(User.role.in_(MODERATING_ROLES), User.email != "").order_by(User.id)
    return list(session.scalars(query))


def stop_replies(session: Session, email: str, thread_id: int) -> int:
    """Stop reply mail to an address for every comment it left on one thread; the caller commits."""
    query = (
        update(Comment)
        .where(Comment.thread_id == thread_id, func.lower(Comment.email) == email.lower(), Comment.notify_replies)
        .values(notify_replies=False)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(query).rowcount)  # type: ignore[attr-defined]


def subscribed_thread(session: Session, thread_id: int) -> Thread | None:
    """Return the thread an unsubscribe link is about."""
    return session.get(Thread, thread_id)
