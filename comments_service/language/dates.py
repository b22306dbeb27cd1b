"""Dates and numbers as each language writes them, in the site's time zone: one format per context."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from .catalogs import translations
from .speaking import N_, current_language


def _local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def post_date(moment: datetime, timezone: str, language: str | None = None) -> str:
    """Return a post's date as its byline shows it: '22 mei 2009', 'May 22, 2009'."""
    return format_date(_local(moment, timezone), "long", locale=language or current_language())


def moment_text(moment: datetime, timezone: str, language: str | None = None) -> str:
    """Return a comment's (or any event's) date and time: '22 mei 2009 om 19:51', 'May 22, 2009 at 7:51 PM'."""
    local = _local(moment, timezone)
    locale = language or current_language()
    # CLDR's "at" pattern is not in Babel's data, so the joining words are a message of our own,
    # translated into the language asked for (a page's chrome), which need not be the current one.
    joined = translations(locale).gettext(N_("%(date)s at %(time)s"))
    return joined % {
        "date": format_date(local, "long", locale=locale),
        "time": format_time(local, "short", locale=locale),
    }


def number(value: int | float, language: str | None = None) -> str:
    """Return a number as the language writes it: '1,234' or '1.234'."""
    return format_decimal(value, locale=language or current_language())
