"""Untrusted titles, names and excerpts reduced to plain text: markup stripped by the sanitiser, shown escaped."""

from __future__ import annotations

import html

import nh3

from ..text.text_policy import clean

TITLE_MAX = 500
NAME_MAX = 245
EXCERPT_MAX = 1000
EXCERPT_CONTEXT = 150
# How much of a value plain_text reads, in multiples of the characters it keeps (see there).
READ_FACTOR = 10


def plain_text(value: str, limit: int) -> str:
    """Strip every tag to its text, collapse whitespace and cut to at most limit characters."""
    # The sanitiser's cost grows with the square of the nesting depth ("<blockquote>" × 30,000 takes
    # seconds), and a value may be a 256 KiB TrackBack field or come from a 1 MiB page. At most limit
    # characters survive, so a generous multiple of that leaves room for markup and bounds the work.
    value = value[: limit * READ_FACTOR]
    # Every tag goes, its text stays (a script's or a style's goes with it).
    stripped = nh3.clean(value, tags=set(), attributes={}, strip_comments=True)
    # The sanitiser leaves entities escaped for HTML output; the templates escape again, so store the text itself.
    # A sender's own fields were checked on receipt; a third-party page is not refused for its text, but its
    # forbidden characters (text_policy) are dropped.
    text = " ".join(clean(html.unescape(stripped)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def excerpt_around(text: str, start: int, end: int, context: int = EXCERPT_CONTEXT) -> str:
    """Return the whole words around text[start:end], marking cut ends with an ellipsis."""
    left, right = max(0, start - context), min(len(text), end + context)
    piece = text[left:right]
    if left > 0 and " " in text[left:start]:
        piece = piece.split(" ", 1)[1]
    if right < len(text) and " " in text[end:right]:
        piece = piece.rsplit(" ", 1)[0]
    return plain_text(("…" if left > 0 else "") + piece + ("…" if right < len(text) else ""), EXCERPT_MAX)
