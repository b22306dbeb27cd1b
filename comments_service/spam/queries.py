"""Named queries the spam checks ask of the comment store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Comment, State


def latest_comment_from(session: Session, ip: str) -> datetime | None:
    """Return when the newest comment from an address was stored, if any."""
    return session.scalar(select(func.max(Comment.created)).where(Comment.ip == ip))


def dedupe_key_taken(session: Session, key: str) -> bool:
    """Tell whether a comment with this duplicate key is already stored."""
    return session.scalar(select(Comment.id).where(Comment.dedupe_key == key).limit(1)) is not None


def has_approved_comment(session: Session, author: str, email: str) -> bool:
    """Tell whether this name and email pair already has an approved comment."""
    query = select(Comment.id).where(Comment.author == author, Comment.email == email, Comment.state == State.APPROVED)
    return session.scalar(query.limit(1)) is not None
