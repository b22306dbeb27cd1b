"""Replace the fenced comment regions of one post inside an already built page."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..rendering.render import end_marker, start_marker


def splice_regions(page: str, slug: str, regions: Mapping[str, str]) -> str:
    """Return page with every region of slug replaced by its fresh inner HTML."""
    pattern = re.compile(
        re.escape(start_marker("REGION", slug)).replace("REGION", r"(?P<name>[a-z]+)")
        + r".*?"
        + re.escape(end_marker("REGION", slug)).replace("REGION", r"(?P=name)"),
        re.DOTALL,
    )

    def fresh(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in regions:
            return match.group(0)
        return start_marker(name, slug) + regions[name] + end_marker(name, slug)

    return pattern.sub(fresh, page)
