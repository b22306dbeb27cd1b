"""Who gets Kiln's email: the moderators of new comments, and subscribers to replies (until they unsubscribe)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..store.comments import get_comment
from ..store.mail_recipients import MODERATING_ROLES, moderating_accounts
from ..store.models import Comment, State, User


@dataclass(frozen=True)
class Moderator:
    """An address that is told about new comments, the account its links act as and its language (None: no account)."""

    email: str
    user_id: int | None
    # The account's chosen language ("" for none chosen); None for a listed address without an account.
    language: str | None = None


def moderators(session: Session, listed: list[str]) -> list[Moderator]:
    """Return the listed addresses (as their accounts where they have one), or every moderating account's."""
    accounts = moderating_accounts(session)
    if not listed:
        return [Moderator(user.email, user.id, user.language) for user in accounts]
    by_email = {user.email.lower(): user for user in accounts}
    found = [(email, by_email.get(email.lower())) for email in listed]
    return [Moderator(email, user.id, user.language) if user else Moderator(email, None) for email, user in found]


def may_moderate(user: User) -> bool:
    """Tell whether an account may act on any comment through an email link."""
    return user.role in MODERATING_ROLES


def subscribed_parent(session: Session, reply: Comment) -> Comment | None:
    """Return the comment a newly approved reply answers, if its author asked to hear about replies."""
    if reply.parent_id is None:
        return None
    parent = get_comment(session, reply.parent_id)
    if parent is None or parent.state != State.APPROVED or not parent.notify_replies or not parent.email:
        return None
    if parent.email.lower() == reply.email.lower():
        return None
    return parent
