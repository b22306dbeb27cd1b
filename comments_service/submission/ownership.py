"""Which comments this browser wrote: a signed, expiring cookie of their ids, so only their writer sees them."""

from __future__ import annotations

import time

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "kiln_own"
_SALT = "kiln own comments"
# A browser that comments a lot keeps its latest comments: the cookie stays far below 4 KB.
KEPT = 40


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _max_age() -> int:
    return int(current_app.config["OWN_COMMENT_DAYS"]) * 24 * 3600


def own_comments() -> dict[int, float]:
    """Return the comments this browser wrote, still within their time, with when each was written (epoch seconds)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return {}
    try:
        entries = _serializer().loads(value, max_age=_max_age())
    except BadSignature:
        return {}
    oldest = time.time() - _max_age()
    if not isinstance(entries, list):
        return {}
    return {
        int(entry[0]): float(entry[1])
        for entry in entries
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int) and float(entry[1]) > oldest
    }


def _store(response: Response, owned: dict[int, float]) -> None:
    latest = sorted(owned.items(), key=lambda item: item[1])[-KEPT:]
    response.set_cookie(
        COOKIE,
        _serializer().dumps([[comment_id, issued] for comment_id, issued in latest]),
        max_age=_max_age(),
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )


def remember(response: Response, comment_id: int) -> None:
    """Add a comment this browser has just written to its cookie."""
    _store(response, own_comments() | {comment_id: time.time()})


def forget(response: Response, comment_id: int) -> None:
    """Drop a comment from this browser's cookie (it was deleted)."""
    owned = own_comments()
    owned.pop(comment_id, None)
    _store(response, owned)
