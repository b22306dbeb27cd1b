"""Where a reply attaches: its parent, or the deepest ancestor the depth limit allows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .models import Comment, State
from .store import get_comment


def ancestry(session: Session, comment: Comment) -> list[Comment]:
    """Return the chain from the top-level comment down to comment."""
    chain = [comment]
    while chain[-1].parent_id is not None:
        parent = get_comment(session, chain[-1].parent_id)
        if parent is None or parent in chain:
            break
        chain.append(parent)
    return list(reversed(chain))


def replyable(session: Session, thread_id: int, parent_id: int) -> Comment | None:
    """Return the comment to reply to, if it is a published comment on this thread."""
    parent = get_comment(session, parent_id)
    if parent is None or parent.thread_id != thread_id or parent.state != State.APPROVED:
        return None
    return parent


def attach_point(session: Session, parent: Comment, max_depth: int) -> Comment | None:
    """Return the comment a reply to parent hangs under; None means the top level."""
    chain = ancestry(session, parent)
    # A reply sits one level below its parent; past the limit it joins the
    # deepest level allowed, as a sibling instead of a child.
    index = min(len(chain), max_depth - 1) - 1
    return chain[index] if index >= 0 else None
