"""When a thread refuses new comments: closed by hand, by the post's metadata, or by age."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from .models import Thread, utcnow


def past_auto_close(published: datetime | None, auto_close_days: int, now: datetime) -> bool:
    """Tell whether a post dated published is older than auto_close_days (0 never closes)."""
    if not auto_close_days or published is None:
        return False
    return now >= published + timedelta(days=auto_close_days)


def is_closed(closed: bool, published: datetime | None, auto_close_days: int, now: datetime) -> bool:
    """Decide closure from the explicit flag (moderator or metadata) and the post's age."""
    return closed or past_auto_close(published, auto_close_days, now)


def thread_closed(thread: Thread, auto_close_days: int, now: datetime) -> bool:
    """Tell whether a thread refuses new comments at the moment now."""
    return is_closed(thread.closed_explicitly, thread.published, auto_close_days, now)


def closed_now(thread: Thread) -> bool:
    """Tell whether a thread refuses new comments now, under this service's settings."""
    return thread_closed(thread, int(current_app.config["AUTO_CLOSE_DAYS"] or 0), utcnow())
