"""Deleting for good: one comment from the spam folder or the trash, or the whole folder at once."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from ..baking.unit_of_work import UnitOfWork
from ..store.audit_log import record
from ..store.comments import purge_comment
from ..store.models import Comment, State, User

# Only what is already out of sight may go for good, as in WordPress.
PURGEABLE = (State.SPAM, State.DELETED)
PURGE = "purge"


def _snapshot(comment: Comment) -> dict[str, str]:
    """Return what the audit log keeps of a comment deleted for good."""
    return {
        "old_state": comment.state.value,
        "old_author": comment.author,
        "old_email": comment.email,
        "old_website": comment.website,
        "old_source": comment.body_source,
    }


def purge(session: Session, comments: Iterable[Comment], actor: User | None) -> int:
    """Delete comments for good in one transaction, each kept in the audit log; bake their posts; return how many."""
    work = UnitOfWork(session, actor)
    count = 0
    for comment in comments:
        record(session, actor, PURGE, comment, **_snapshot(comment))
        # A trashed comment with published replies shows as a placeholder: its post changes too.
        work.bake(comment.thread.slug)
        purge_comment(session, comment)
        count += 1
    work.commit()
    return count
