"""When a thread refuses new comments: closed by hand, by the post's metadata, or by age."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from flask import current_app

from ..store.models import utcnow
from .identity import identity_of


class Closable(Protocol):
    """What closure is decided from: a Thread, or a thread row read without the ORM."""

    @property
    def closed_explicitly(self) -> bool:
        """Tell whether a moderator or the post's metadata closed the thread."""

    @property
    def published(self) -> datetime | None:
        """Return the post's date."""


def past_auto_close(published: datetime | None, auto_close_days: int, now: datetime) -> bool:
    """Tell whether a post dated published is older than auto_close_days (0 never closes)."""
    if not auto_close_days or published is None:
        return False
    return now >= published + timedelta(days=auto_close_days)


def is_closed(closed: bool, published: datetime | None, auto_close_days: int, now: datetime) -> bool:
    """Decide closure from the explicit flag (moderator or metadata) and the post's age."""
    return closed or past_auto_close(published, auto_close_days, now)


def thread_closed(thread: Closable, auto_close_days: int, now: datetime) -> bool:
    """Tell whether a thread refuses new comments at the moment now."""
    return is_closed(thread.closed_explicitly, thread.published, auto_close_days, now)


def closed_now(thread: Closable) -> bool:
    """Tell whether a thread refuses new comments now, under this service's closing rule."""
    return thread_closed(thread, identity_of(current_app).auto_close_days, utcnow())
