"""Fetch a linkback's source and find the link to our post in it, with a title and excerpt."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from . import fetcher
from .page import Page, read_page
from .targets import normalize
from .text import NAME_MAX, TITLE_MAX, excerpt_around, plain_text

log = logging.getLogger(__name__)
TRANSIENT_STATUSES = frozenset({408, 429})  # besides every 5xx: the source may answer later


class Outcome(enum.Enum):
    """What fetching the source showed."""

    LINKS = "links"  # the source links to the target
    NO_LINK = "no-link"  # the source answered 200 without the link
    GONE = "gone"  # the source answered 410
    MISSING = "missing"  # the source answered 404
    UNAVAILABLE = "unavailable"  # refused, too big, wrong type or another status: never said why outside
    TRY_LATER = "try-later"  # unreachable, too slow or a server error: another try may work


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a source, with what to show if it links to us."""

    outcome: Outcome
    title: str = ""
    excerpt: str = ""
    site_name: str = ""
    reason: str = ""  # why the source could not be checked, for logs and the pending queue only


def verify(source: str, target: str, policy: fetcher.Policy) -> Verification:
    """Fetch source and tell whether it links to target."""
    try:
        response = fetcher.get(source, policy)
    except fetcher.FetchError as error:
        log.info("kiln linkbacks: cannot fetch %s: %s", source, error)
        return _unchecked(isinstance(error, (fetcher.Timeout, fetcher.Unreachable)), str(error))
    if response.status == 410:
        return Verification(Outcome.GONE)
    if response.status == 404:
        return Verification(Outcome.MISSING)
    if not 200 <= response.status < 300:
        log.info("kiln linkbacks: %s answered %s", source, response.status)
        transient = response.status >= 500 or response.status in TRANSIENT_STATUSES
        return _unchecked(transient, f"answered {response.status}")
    return mention_in(read_page(response), target)


def _unchecked(transient: bool, reason: str) -> Verification:
    return Verification(Outcome.TRY_LATER if transient else Outcome.UNAVAILABLE, reason=reason)


def mention_in(page: Page, target: str) -> Verification:
    """Find target among a page's links (or, in plain text, its words) and describe the mention."""
    span = _text_span(page.text, target) if page.plain else _link_span(page, normalize(target))
    if span is None:
        return Verification(Outcome.NO_LINK)
    host = urlsplit(page.url).hostname or ""
    return Verification(
        Outcome.LINKS,
        title=plain_text(page.title, TITLE_MAX) or host,
        excerpt=excerpt_around(page.text, *span),
        site_name=plain_text(page.site_name, NAME_MAX) or host,
    )


def _text_span(text: str, target: str) -> tuple[int, int] | None:
    # A text/plain source has no elements; the target written out in it counts as a link.
    start = text.find(target)
    return (start, start + len(target)) if start >= 0 else None


def _link_span(page: Page, wanted: str | None) -> tuple[int, int] | None:
    if wanted is None:
        return None
    for link in page.links:
        if link.tag != "link" and link.href is not None and normalize(urljoin(page.url, link.href)) == wanted:
            return (link.offset, link.offset)
    return None
