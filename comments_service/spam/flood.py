"""Flood: one address may not post a second comment within FLOOD_SECONDS of the first."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from ..store.models import utcnow
from ..store.spam_history import latest_comment_from
from .reasons import Reason
from .verdict import Action, Candidate, Verdict


def check(candidate: Candidate, connection: Connection, config: Mapping[str, Any]) -> Verdict | None:
    """Answer 429 with Retry-After when the address commented too recently; moderators are exempt."""
    window = float(config["FLOOD_SECONDS"])
    if window <= 0 or candidate.by_moderator or not candidate.comment.ip:
        return None
    latest = latest_comment_from(connection, candidate.comment.ip)
    if latest is None:
        return None
    wait = math.ceil(window - (utcnow() - latest).total_seconds())
    if wait <= 0:
        return None
    message = Reason.ngettext(
        "You are commenting too fast; please wait %(num)s second and send it again.",
        "You are commenting too fast; please wait %(num)s seconds and send it again.",
        wait,
    )
    # Flask-Limiter may raise this header to its own window's reset, never lower it.
    return Verdict(Action.REJECT, message, status=429, headers={"Retry-After": str(wait)})
