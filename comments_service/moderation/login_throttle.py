"""Login throttling kept in the store, so it holds across processes and restarts."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from ..store.models import LoginFailure


def _nth_latest(session: Session, where: ColumnElement[bool], since: datetime, limit: int) -> datetime | None:
    """Return the time of the limit-th most recent failure since `since`, if there are that many."""
    query = (
        select(LoginFailure.at)
        .where(where, LoginFailure.at > since)
        .order_by(LoginFailure.at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    return session.scalar(query)


def retry_after(session: Session, username: str, ip: str, now: datetime, limit: int, window: timedelta) -> int | None:
    """Return the seconds until logins for this account and address are allowed again, or None."""
    since = now - window
    blocked_until = [
        moment + window
        for where in (LoginFailure.username == username[:80], LoginFailure.ip == ip)
        if (moment := _nth_latest(session, where, since, limit)) is not None
    ]
    if not blocked_until:
        return None
    return max(1, math.ceil((max(blocked_until) - now).total_seconds()))


def record_failure(session: Session, username: str, ip: str, now: datetime, window: timedelta) -> None:
    """Count a failed login against its account and address, forgetting ones past the window."""
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))
    session.add(LoginFailure(username=username[:80], ip=ip, at=now))


def forget_failures(session: Session, username: str) -> None:
    """Clear an account's failures after its owner logged in."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == username[:80]))
