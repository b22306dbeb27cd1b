"""Named queries for seeding the demo site: whether its thread has comments already."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Comment


def thread_has_comments(session: Session, thread_id: int) -> bool:
    """Tell whether any entry, of any kind or state, is stored on a thread."""
    return bool(session.scalar(select(Comment.id).where(Comment.thread_id == thread_id).limit(1)))
