"""Who gets Kiln's email: the moderators of new comments, and subscribers to replies (until they unsubscribe)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..store.models import Comment, Role, State, Thread, User

MODERATING_ROLES = (Role.ADMIN, Role.MODERATOR)


@dataclass(frozen=True)
class Moderator:
    """An address that is told about new comments, and the account its links act as (None: no account)."""

    email: str
    user_id: int | None


def moderators(session: Session, listed: list[str]) -> list[Moderator]:
    """Return the listed addresses (as their accounts where they have one), or every moderating account's."""
    query = select(User).where(User.role.in_(MODERATING_ROLES), User.email != "").order_by(User.id)
    accounts = list(session.scalars(query))
    if not listed:
        return [Moderator(user.email, user.id) for user in accounts]
    by_email = {user.email.lower(): user.id for user in accounts}
    return [Moderator(email, by_email.get(email.lower())) for email in listed]


def account(session: Session, user_id: int) -> User | None:
    """Return the account a moderation link was issued to, if it still exists."""
    return session.get(User, user_id)


def may_moderate(user: User) -> bool:
    """Tell whether an account may act on any comment through an email link."""
    return user.role in MODERATING_ROLES


def subscribed_parent(session: Session, reply: Comment) -> Comment | None:
    """Return the comment a newly approved reply answers, if its author asked to hear about replies."""
    if reply.parent_id is None:
        return None
    parent = session.get(Comment, reply.parent_id)
    if parent is None or parent.state != State.APPROVED or not parent.notify_replies or not parent.email:
        return None
    if parent.email.lower() == reply.email.lower():
        return None
    return parent


def unsubscribe(session: Session, email: str, thread_id: int) -> int:
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
