"""Dates and numbers as each language writes them, in the site's time zone: one format per context."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import DateTimePattern, get_date_format, get_time_format
from babel.numbers import format_decimal

from .catalogs import translations
from .speaking import N_, current_language


@cache
def _patterns(language: str) -> tuple[Locale, DateTimePattern, DateTimePattern]:
    # Parsed once per language: Babel's format_date parses the locale and its pattern at every call.
    locale = Locale.parse(language)
    return locale, get_date_format("long", locale), get_time_format("short", locale)


def _local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def post_date(moment: datetime, timezone: str, language: str | None = None) -> str:
    """Return a post's date as its byline shows it: '22 mei 2009', 'May 22, 2009'."""
    locale, long_date, _ = _patterns(language or current_language())
    return long_date.apply(_local(moment, timezone), locale)


def moment_text(moment: datetime, timezone: str, language: str | None = None) -> str:
    """Return a comment's (or any event's) date and time: '22 mei 2009 om 19:51', 'May 22, 2009 at 7:51 PM'."""
    local = _local(moment, timezone)
    language = language or current_language()
    locale, long_date, short_time = _patterns(language)
    # CLDR's "at" pattern is not in Babel's data, so the joining words are a message of our own,
    # translated into the language asked for (a page's chrome), which need not be the current one.
    joined = translations(language).gettext(N_("%(date)s at %(time)s"))
    return joined % {"date": long_date.apply(local, locale), "time": short_time.apply(local, locale)}


def number(value: int | float, language: str | None = None) -> str:
    """Return a number as the language writes it: '1,234' or '1.234'."""
    return format_decimal(value, locale=language or current_language())
