"""What a moderation action does, whichever door it comes through (queue, bulk, email link)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..appctx import this_app
from ..baking.bake_requests import request_bake
from ..baking.trigger import bake_requested
from ..events import comment_state_changed
from ..store.comments import set_state
from ..store.models import Comment, State, Thread, User
from ..store.threads import set_closed
from .audit import record

ACTIONS = {
    "approve": State.APPROVED,
    "reject": State.DELETED,
    "spam": State.SPAM,
    "delete": State.DELETED,
}


@dataclass(frozen=True)
class Change:
    """A comment's move between states; old_state is None for a comment created approved."""

    comment: Comment
    old_state: State | None
    new_state: State


def stage(session: Session, comment: Comment, action: str, actor: User | None, **detail: Any) -> Change:
    """Apply an action inside the open transaction: new state, audit entry, bake request."""
    old_state = comment.state
    set_state(session, comment, ACTIONS[action])
    request_bake(session, comment.thread.slug)
    record(session, actor, action, comment, old_state=old_state.value, **detail)
    return Change(comment, old_state, comment.state)


def announce(session: Session, changes: Iterable[Change], actor: User | None) -> None:
    """Commit staged changes, bake the posts they touch, then tell the receivers what moved."""
    session.commit()
    bake_requested(session)
    for change in changes:
        if change.old_state != change.new_state:
            comment_state_changed.send(
                this_app(),
                comment=change.comment,
                old_state=change.old_state,
                new_state=change.new_state,
                actor=actor,
            )


def moderate(session: Session, comment: Comment, action: str, actor: User | None) -> None:
    """Apply an action to a comment, commit, bake its post and announce the change."""
    announce(session, [stage(session, comment, action, actor)], actor)


def moderate_many(session: Session, comments: Iterable[Comment], action: str, actor: User | None) -> None:
    """Apply one action to many comments in one transaction and one bake per post."""
    announce(session, [stage(session, c, action, actor, bulk=True) for c in comments], actor)


def close_thread(session: Session, thread: Thread, closed: bool, actor: User | None) -> None:
    """Close a thread to new comments or reopen it, then bake its closed notice or form."""
    set_closed(session, thread, closed)
    request_bake(session, thread.slug)
    record(session, actor, "close" if closed else "open", thread_slug=thread.slug)
    session.commit()
    bake_requested(session)
