"""Named queries on failed logins, counted per account and per address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from .models import LoginFailure


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


def nth_latest_failures(session: Session, username: str, ip: str, since: datetime, limit: int) -> list[datetime]:
    """Return the time of the limit-th latest failure since `since`, for the account and the address with that many."""
    return [
        moment
        for where in (LoginFailure.username == username[:80], LoginFailure.ip == ip)
        if (moment := _nth_latest(session, where, since, limit)) is not None
    ]


def forget_failures_until(session: Session, moment: datetime) -> None:
    """Delete the failures recorded at or before moment."""
    session.execute(delete(LoginFailure).where(LoginFailure.at <= moment))


def forget_failures(session: Session, username: str) -> None:
    """Clear an account's failures after its owner logged in."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == username[:80]))
