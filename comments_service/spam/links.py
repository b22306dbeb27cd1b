"""Links: a comment with more than MAX_LINKS links waits for a moderator."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from .verdict import Action, Candidate, Verdict

# The body has been through the sanitiser, which writes every link as <a href="…">
# (bare URLs included), so a pattern over its output sees every link there is.
_HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"')


def links_in(body_html: str) -> list[str]:
    """Return the targets of the links in a sanitised comment body."""
    return [html.unescape(href) for href in _HREF.findall(body_html)]


def check(candidate: Candidate, session: Session, config: Mapping[str, Any]) -> Verdict | None:
    """Hold a comment with too many links for moderation."""
    count, limit = len(links_in(candidate.body_html)), int(config["MAX_LINKS"])
    if count > limit:
        return Verdict(Action.PENDING, f"{count} links (more than {limit})")
    return None
