"""Moderator accounts: creation and password checks with a standard KDF."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import Role, User

# A hash of nothing, checked when the account does not exist, so a wrong
# username costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("kiln-no-such-user")


def find_user(session: Session, username: str) -> User | None:
    """Return the account with this username."""
    return session.scalar(select(User).where(User.username == username))


def create_user(
    session: Session, username: str, password: str, role: Role, display_name: str = "", email: str = ""
) -> User:
    """Create an account; the caller commits."""
    user = User(
        username=username,
        display_name=display_name or username,
        email=email,
        password_hash=generate_password_hash(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Replace an account's password."""
    user.password_hash = generate_password_hash(password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the account if the password is right, in constant-ish time either way."""
    user = find_user(session, username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None
