"""Server-side login sessions: a random token in the signed cookie, only its SHA-256 in the store."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..store.models import AuthSession, User, utcnow

# How stale last_seen may get before a request refreshes it; saves a write per request.
_SEEN_RESOLUTION = timedelta(minutes=5)


class KilnSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request itself came over HTTPS."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}

    # Flask builds a serializer for every request, cookie or not, and building one serializes
    # a test value: 1-2% of a worker's time under a stream of reader comments (measured).
    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Return Flask's serializer for the app's current secret key and fallbacks, built once for them."""
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def get_cookie_secure(self, app: Flask) -> bool:
        """Send the cookie over HTTPS only when served over HTTPS (or when configured to)."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User) -> str:
    """Open a login for user and return the token for the cookie; the caller commits."""
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(id=_digest(token), user_id=user.id))
    return token


def user_for_token(session: Session, token: str, max_age: timedelta, now: datetime | None = None) -> User | None:
    """Return the account behind a live, unexpired login token, refreshing its last_seen."""
    now = now or utcnow()
    login = session.get(AuthSession, _digest(token))
    if login is None or login.revoked_at is not None or login.created + max_age <= now:
        return None
    if login.last_seen + _SEEN_RESOLUTION <= now:
        login.last_seen = now
        session.commit()
    return session.get(User, login.user_id)


def revoke(session: Session, token: str) -> None:
    """End the login behind a token, so a copy of the cookie stops working; the caller commits."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == _digest(token), AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def last_seen(session: Session) -> dict[int, datetime]:
    """Return when each account was last active in a live login."""
    query = select(AuthSession.user_id, AuthSession.last_seen).where(AuthSession.revoked_at.is_(None))
    seen: dict[int, datetime] = {}
    for user_id, moment in session.execute(query):
        seen[user_id] = max(moment, seen.get(user_id, moment))
    return seen
