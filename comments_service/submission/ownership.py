"""Which comments this browser wrote: a signed, expiring cookie of their ids, so only their writer sees them."""

from __future__ import annotations

import time
from functools import lru_cache

from flask import Response, current_app, request
from itsdangerous import BadSignature, TimestampSigner

COOKIE = "kiln_own"
_SALT = "kiln own comments"
# A browser that comments a lot keeps its latest comments: the cookie stays far below 4 KB.
KEPT = 30


@lru_cache(maxsize=8)
def _signer(secret: str | bytes) -> TimestampSigner:
    # Built once per secret: every comment's answer reads and writes the cookie.
    return TimestampSigner(secret, salt=_SALT)


def _max_age() -> int:
    return int(current_app.config["OWN_COMMENT_DAYS"]) * 24 * 3600


def _entries(payload: str, oldest: float) -> dict[int, float]:
    # "id-written.id-written": plain digits (no character a cookie must quote), split rather than
    # parsed as a JSON document, as every answer to a comment reads it.
    owned: dict[int, float] = {}
    for entry in payload.split("."):
        comment_id, _, written = entry.partition("-")
        if comment_id.isdigit() and written.isdigit() and int(written) > oldest:
            owned[int(comment_id)] = float(written)
    return owned


def own_comments() -> dict[int, float]:
    """Return the comments this browser wrote, still within their time, with when each was written (epoch seconds)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return {}
    try:
        payload = _signer(current_app.config["SECRET_KEY"]).unsign(value, max_age=_max_age())
    except BadSignature:
        return {}
    return _entries(payload.decode("ascii", "replace"), time.time() - _max_age())


def _store(response: Response, owned: dict[int, float]) -> None:
    latest = sorted(owned.items(), key=lambda item: item[1])[-KEPT:]
    payload = ".".join(f"{comment_id}-{int(written)}" for comment_id, written in latest)
    response.set_cookie(
        COOKIE,
        _signer(current_app.config["SECRET_KEY"]).sign(payload).decode("ascii"),
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
