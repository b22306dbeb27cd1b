"""Feed entries fenced with what they were rendered from, so a bake reuses those of the file it replaces."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

from markupsafe import Markup

from .fences import digest as values_digest
from .fences import fenced_pieces

# Part of every digest: bump it when the code that renders an entry changes its bytes,
# so entries written by an older release are rendered again instead of reused.
FORMAT = "1"
# Each marker on a line of its own, indented like the entry it fences.
_OPEN = "  <!--kiln:entry:"
_OPEN_END = "-->\n"
_CLOSE = "\n  <!--/kiln:entry-->"


class Entry(Protocol):
    """What a feed entry is rendered from (hashable: digests are cached)."""

    def __hash__(self) -> int:
        """Hash the entry by its values."""

    @property
    def fields(self) -> tuple[object, ...]:
        """Return every value the entry's rendering reads."""


# The site feed asks again for the same entries at nearly every bake; kept small, as
# each key holds a comment (about 12 MiB per server process at 8,192 entries).
@lru_cache(maxsize=1024)
def digest(entry: Entry, url: str, template: str) -> str:
    """Return a key that changes whenever the entry's rendering could."""
    return values_digest((FORMAT, template, url, *entry.fields))


def fenced(key: str, rendered: str) -> Markup:
    """Wrap a rendered entry in the markers that let a later bake find and reuse it."""
    return Markup(f"{_OPEN}{key}{_OPEN_END}{rendered.strip(chr(10))}{_CLOSE}\n")


def previous_entries(feed: str) -> dict[str, str]:
    """Return the fenced entries of a feed file's text, by key."""
    return fenced_pieces(feed, _OPEN, _OPEN_END, _CLOSE)


def reuse_or_render(entry: Entry, url: str, template: str, known: dict[str, str], render: Callable[[], str]) -> Markup:
    """Return the fenced entry: from known if it was rendered from the same values, else rendered now."""
    key = digest(entry, url, template)
    rendered = known.get(key)
    return fenced(key, rendered if rendered is not None else render())
