"""Server-side login sessions: a random token in the signed cookie, only its SHA-256 in the store."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ..store.login_sessions import get_login, revoke_login
from ..store.models import AuthSession, User, utcnow
from ..store.users import get_user

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
    login = get_login(session, _digest(token))
    if login is None or login.revoked_at is not None or login.created + max_age <= now:
        return None
    if login.last_seen + _SEEN_RESOLUTION <= now:
        login.last_seen = now
        session.commit()
    return get_user(session, login.user_id)


def revoke(session: Session, token: str) -> None:
    """End the login behind a token, so a copy of the cookie stops working; the caller commits."""
    revoke_login(session, _digest(token))
