"""Named queries the spam checks ask of the comment store, as Core statements built once: they run on every comment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select

from .models import Comment, State

_LATEST_FROM = select(func.max(Comment.created)).where(Comment.ip == bindparam("ip"))
_DEDUPE_KEY = select(Comment.id).where(Comment.dedupe_key == bindparam("key")).limit(1)
_APPROVED_BY = (
    select(Comment.id)
    .where(Comment.author == bindparam("author"), Comment.email == bindparam("email"), Comment.state == State.APPROVED)
    .limit(1)
)


def latest_comment_from(connection: Connection, ip: str) -> datetime | None:
    """Return when the newest comment from an address was stored, if any."""
    return connection.execute(_LATEST_FROM, {"ip": ip}).scalar()


def dedupe_key_taken(connection: Connection, key: str) -> bool:
    """Tell whether a comment with this duplicate key is already stored."""
    return connection.execute(_DEDUPE_KEY, {"key": key}).first() is not None


def has_approved_comment(connection: Connection, author: str, email: str) -> bool:
    """Tell whether this name and email pair already has an approved comment."""
    return connection.execute(_APPROVED_BY, {"author": author, "email": email}).first() is not None
