"""Replace the fenced comment regions of one post inside an already built page."""

from __future__ import annotations

from collections.abc import Mapping

from ..rendering.fences import fences
from ..rendering.render import end_marker, start_marker


def splice_regions(page: str, slug: str, regions: Mapping[str, str]) -> str:
    """Return page with every region of slug named in regions replaced by its fresh inner HTML."""
    for name, inner in regions.items():
        start, end = start_marker(name, slug), end_marker(name, slug)
        pieces: list[str] = []
        done = 0
        for fence in fences(page, opening=start, opening_end="", closing=end):
            pieces += [page[done : fence.start], start, inner, end]
            done = fence.end
        if pieces:
            page = "".join(pieces) + page[done:]
    return page
