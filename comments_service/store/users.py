"""Named queries on moderation accounts."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .models import Role, User


def get_user(session: Session, user_id: int) -> User | None:
    """Return one account by id."""
    return session.get(User, user_id)


def find_user(session: Session, username: str) -> User | None:
    """Return the account with this username."""
    return session.scalar(select(User).where(User.username == username))


def list_users(session: Session) -> list[User]:
    """Return every account, by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def admins_besides(session: Session, user: User) -> int:
    """Count the admin accounts other than user."""
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.id != user.id)
    return session.scalar(query) or 0


def set_language(session: Session, user_id: int, language: str) -> None:
    """Store the language an account reads Kiln in ("" for its browser's); the caller commits."""
    session.execute(update(User).where(User.id == user_id).values(language=language))
