"""The language Kiln speaks right now (a request, a bake, an e-mail) and the gettext functions that use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .catalogs import SOURCE_LANGUAGE, translations

# A language, or how to find it the first time it is needed (most answers to a reader's comment never are).
_current: ContextVar[str | Callable[[], str]] = ContextVar("kiln_language", default=SOURCE_LANGUAGE)


def current_language() -> str:
    """Return the language of what is being written now."""
    language = _current.get()
    if callable(language):
        language = language()
        _current.set(language)
    return language


@contextmanager
def speaking(language: str) -> Iterator[str]:
    """Write in language (one of catalogs.languages()) inside the block."""
    token = _current.set(language)
    try:
        yield language
    finally:
        _current.reset(token)


def set_language(language: str | Callable[[], str]) -> None:
    """Write in language from now on in this context, or in what a function finds when something is first written."""
    _current.set(language)


def gettext(message: str, **values: Any) -> str:
    """Translate message into the current language, then fill in its %(name)s values."""
    text = translations(current_language()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, count: int, **values: Any) -> str:
    """Translate the form of a message for count (in the language's own plural rule); %(num)s is the count."""
    text = translations(current_language()).ngettext(singular, plural, count)
    return text % {"num": count, **values}


def pgettext(context: str, message: str, **values: Any) -> str:
    """Translate a message whose meaning its context decides ('Reply' the verb or the noun)."""
    text = translations(current_language()).pgettext(context, message)
    return text % values if values else text


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools look for)
    """Mark a message for the catalogs without translating it: it is translated where it is shown."""
    return message
