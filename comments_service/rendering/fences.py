"""Rendered pieces fenced by markers that carry a digest of what they were rendered from."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def digest(values: Iterable[object]) -> str:
    """Return a key that changes whenever any of values does."""
    text = "\x1f".join(map(str, values))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def fenced_pieces(text: str, opening: str, opening_end: str, closing: str) -> dict[str, str]:
    """Return the pieces of text fenced as opening KEY opening_end ... closing, by key."""
    # Plain substring search: pages run to hundreds of kilobytes and are read at every bake.
    found: dict[str, str] = {}
    start = text.find(opening)
    while start != -1:
        key_end = text.find(opening_end, start + len(opening))
        close = text.find(closing, key_end)
        if key_end == -1 or close == -1:
            break
        found[text[start + len(opening) : key_end]] = text[key_end + len(opening_end) : close]
        start = text.find(opening, close + len(closing))
    return found
