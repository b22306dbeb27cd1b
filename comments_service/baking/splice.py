"""Replace the fenced comment regions of one post inside an already built page."""

from __future__ import annotations

from collections.abc import Mapping

from ..rendering.render import end_marker, start_marker


def splice_regions(page: str, slug: str, regions: Mapping[str, str]) -> str:
    """Return page with every region of slug named in regions replaced by its fresh inner HTML."""
    # Plain substring search: a bake splices several pages, and a regular expression
    # scanning a long comment section for its end marker costs more than the render.
    for name, inner in regions.items():
        start, end = start_marker(name, slug), end_marker(name, slug)
        pieces: list[str] = []
        done = 0
        while (begin := page.find(start, done)) != -1:
            close = page.find(end, begin + len(start))
            if close == -1:
                break
            pieces += [page[done:begin], start, inner, end]
            done = close + len(end)
        if pieces:
            page = "".join(pieces) + page[done:]
    return page
