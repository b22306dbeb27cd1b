"""Login throttling kept in the store, so it holds across processes and restarts."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..store.login_failures import forget_failures_until, nth_latest_failures
from ..store.models import LoginFailure


def retry_after(session: Session, username: str, ip: str, now: datetime, limit: int, window: timedelta) -> int | None:
    """Return the seconds until logins for this account and address are allowed again, or None."""
    blocked_until = [moment + window for moment in nth_latest_failures(session, username, ip, now - window, limit)]
    if not blocked_until:
        return None
    return max(1, math.ceil((max(blocked_until) - now).total_seconds()))


def record_failure(session: Session, username: str, ip: str, now: datetime, window: timedelta) -> None:
    """Count a failed login against its account and address, forgetting ones past the window."""
    forget_failures_until(session, now - window)
    session.add(LoginFailure(username=username[:80], ip=ip, at=now))
