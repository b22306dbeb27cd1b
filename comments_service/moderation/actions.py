"""What a moderation action does, whichever door it comes through (queue, bulk, email link)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..appctx import this_app
from ..baking.requests import request_bake
from ..baking.trigger import bake_requested
from ..events import comment_state_changed
from ..models import Comment, State, User
from ..store import set_state

ACTIONS = {
    "approve": State.APPROVED,
    "reject": State.DELETED,
    "spam": State.SPAM,
    "delete": State.DELETED,
}


def moderate(session: Session, comment: Comment, action: str, actor: User | None) -> None:
    """Apply an action to a comment, commit, bake its post and announce the change."""
    old_state = comment.state
    set_state(session, comment, ACTIONS[action])
    request_bake(session, comment.thread.slug)
    session.commit()
    bake_requested(session)
    comment_state_changed.send(this_app(), comment=comment, old_state=old_state, new_state=comment.state, actor=actor)
