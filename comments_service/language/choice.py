"""Which language a page, a request or a recipient gets: tags matched to the catalogs, and text direction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from markupsafe import Markup

from .catalogs import SOURCE_LANGUAGE, languages


def primary(tag: str) -> str:
    """Return a language tag's primary subtag in lower case: 'nl' for 'nl-BE' or 'nl_BE'."""
    return tag.strip().replace("_", "-").split("-", 1)[0].lower()


def supported(tag: str | None) -> str | None:
    """Return the language Kiln speaks for a tag ('de-AT' gives 'de'), or None if it speaks none of it."""
    if not tag:
        return None
    language = primary(tag)
    return language if language in languages() else None


def first_supported(tags: Iterable[str | None], fallback: str = SOURCE_LANGUAGE) -> str:
    """Return the first of tags Kiln speaks, else fallback."""
    for tag in tags:
        if (language := supported(tag)) is not None:
            return language
    return fallback


@cache
def direction(tag: str) -> str:
    """Return 'rtl' for a right-to-left language, else 'ltr' (also for a tag Babel does not know)."""
    try:
        return Locale.parse(tag.replace("-", "_")).text_direction
    except (UnknownLocaleError, ValueError):
        return "ltr"


@dataclass(frozen=True)
class PageLanguage:
    """The languages of one page: its content's (a post's Lang, else the site's) and that of Kiln's chrome around it."""

    # As the post or the site gives it (any BCP 47 tag); <html lang> carries it.
    content: str
    # One of languages(): the words of the theme and the service.
    chrome: str

    @property
    def dir(self) -> str:
        """Return the content's text direction."""
        return direction(self.content)

    @property
    def chrome_differs(self) -> bool:
        """Tell whether the chrome is in another language than the content around it."""
        return primary(self.content) != self.chrome

    @property
    def chrome_attrs(self) -> Markup:
        """Return the lang (and dir) attributes chrome needs inside the content's page (WCAG 3.1.2), or nothing."""
        return _attrs(self.chrome, self.content) if self.chrome_differs else Markup("")

    @property
    def content_attrs(self) -> Markup:
        """Return the attributes that mark content again inside chrome in another language, or nothing."""
        return _attrs(self.content, self.chrome) if self.chrome_differs else Markup("")


def _attrs(language: str, inside: str) -> Markup:
    text_dir = direction(language)
    dir_attr = Markup(' dir="{}"').format(text_dir) if text_dir != direction(inside) else Markup("")
    return Markup(' lang="{}"').format(language) + dir_attr


# Asked for each translated string of a Pelican page (its context names no language): one answer per page kind.
@cache
def page_language(content: str | None, forced: str | None, site_default: str | None) -> PageLanguage:
    """Return a page's languages: content from its own tag or the site's; chrome forced, else the content's."""
    content_tag = content or site_default or SOURCE_LANGUAGE
    return PageLanguage(content=content_tag, chrome=first_supported([forced, content_tag, site_default]))
