"""Rendered pieces fenced by markers that carry a digest of what they were rendered from."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import NamedTuple


def digest(values: Iterable[object]) -> str:
    """Return a key that changes whenever any of values does."""
    text = "\x1f".join(map(str, values))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Fence(NamedTuple):
    """Where one fenced piece lies in a text: text[start:end] is all of it, markers included."""

    start: int
    key: str
    inner_start: int
    inner_end: int
    end: int


def fences(text: str, opening: str, opening_end: str, closing: str) -> Iterator[Fence]:
    """Yield, in order, each piece of text fenced as opening KEY opening_end ... closing.

    With an empty opening_end the key is empty too: opening is the whole first marker.
    """
    # Plain substring search: pages run to hundreds of kilobytes and are read at every bake.
    start = text.find(opening)
    while start != -1:
        key_end = text.find(opening_end, start + len(opening))
        close = text.find(closing, key_end)
        if key_end == -1 or close == -1:
            return
        end = close + len(closing)
        yield Fence(start, text[start + len(opening) : key_end], key_end + len(opening_end), close, end)
        start = text.find(opening, end)


def fenced_pieces(text: str, opening: str, opening_end: str, closing: str) -> dict[str, str]:
    """Return the pieces of text fenced as opening KEY opening_end ... closing, by key."""
    return {f.key: text[f.inner_start : f.inner_end] for f in fences(text, opening, opening_end, closing)}
