"""Named queries on server-side login sessions, each stored under the SHA-256 of its token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .models import AuthSession, User, utcnow


def get_login(session: Session, login_id: str) -> AuthSession | None:
    """Return one login by id (its token's digest)."""
    return session.get(AuthSession, login_id)


def revoke_login(session: Session, login_id: str) -> None:
    """Mark a login revoked unless it already is; the caller commits."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == login_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def delete_logins(session: Session, user: User) -> None:
    """Delete every login of an account; the caller commits."""
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


def last_seen(session: Session) -> dict[int, datetime]:
    """Return when each account was last active in a live login."""
    query = select(AuthSession.user_id, AuthSession.last_seen).where(AuthSession.revoked_at.is_(None))
    seen: dict[int, datetime] = {}
    for user_id, moment in session.execute(query):
        seen[user_id] = max(moment, seen.get(user_id, moment))
    return seen
