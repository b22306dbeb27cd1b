"""What a moderation action does, whichever door it comes through (queue, bulk, email link, the service itself)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from ..baking.unit_of_work import UnitOfWork
from ..store.audit_log import record
from ..store.comments import set_state
from ..store.models import Comment, State, Thread, User
from ..store.threads import set_closed

# The actions a moderator takes, and the state each leaves a comment in (WordPress's: the trash is "deleted").
ACTIONS = {
    "approve": State.APPROVED,
    "unapprove": State.PENDING,
    "spam": State.SPAM,
    "not-spam": State.PENDING,
    "trash": State.DELETED,
    "restore": State.PENDING,
    # Older names of "trash", kept for links already mailed and scripts already written.
    "reject": State.DELETED,
    "delete": State.DELETED,
}
# The actions each state offers, as WordPress's comment screen does.
OFFERED = {
    State.PENDING: ("approve", "spam", "trash"),
    State.APPROVED: ("unapprove", "spam", "trash"),
    State.SPAM: ("not-spam", "trash"),
    State.DELETED: ("restore",),
}
# Putting a comment back where an action found it.
UNDO = "undo"
# The service's own action, which no moderator's page offers: a linkback whose source changed goes back to moderation.
BACK_TO_PENDING = "pending"
_STATES = {**ACTIONS, BACK_TO_PENDING: State.PENDING}


def undo(session: Session, comment: Comment, back_to: State, actor: User | None) -> None:
    """Put a comment back in the state an action found it in, audited and baked like the action."""
    work = UnitOfWork(session, actor)
    old_state = comment.state
    set_state(work.session, comment, back_to)
    record(work.session, actor, UNDO, comment, old_state=old_state.value)
    work.moved(comment, old_state)
    work.commit()


def stage(work: UnitOfWork, comment: Comment, action: str, **detail: Any) -> None:
    """Apply an action inside the unit's transaction: new state, audit entry, bake and announcement."""
    old_state = comment.state
    set_state(work.session, comment, _STATES[action])
    record(work.session, work.actor, action, comment, old_state=old_state.value, **detail)
    work.moved(comment, old_state)


def moderate(session: Session, comment: Comment, action: str, actor: User | None, **detail: Any) -> None:
    """Apply an action to a comment, commit, bake its post and announce the change."""
    work = UnitOfWork(session, actor)
    stage(work, comment, action, **detail)
    work.commit()


def moderate_many(session: Session, comments: Iterable[Comment], action: str, actor: User | None) -> None:
    """Apply one action to many comments in one transaction and one bake per post."""
    work = UnitOfWork(session, actor)
    for comment in comments:
        stage(work, comment, action, bulk=True)
    work.commit()


def close_thread(session: Session, thread: Thread, closed: bool, actor: User | None) -> None:
    """Close a thread to new comments or reopen it, then bake its closed notice or form."""
    work = UnitOfWork(session, actor)
    set_closed(session, thread, closed)
    record(session, actor, "close" if closed else "open", thread_slug=thread.slug)
    work.bake(thread.slug)
    work.commit()
