"""Links: a comment with more than MAX_LINKS links waits for a moderator."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from .reasons import Reason
from .verdict import Action, Candidate, Verdict

# The body has been through the sanitiser, which writes every link as <a href="…">.
_ANCHOR = re.compile(r'<a\s[^>]*?href="([^"]*)"[^>]*>.*?</a>', re.DOTALL)
# The linkifier leaves some addresses as text (after "=", as in BBCode's [url=…]…[/url],
# a spammers' favourite), so they count as links too; a square bracket ends one.
URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"\[\]]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'"


def links_in(body_html: str) -> list[str]:
    """Return the links of a sanitised comment body: its anchors and any URL left as plain text."""
    anchors = [html.unescape(href) for href in _ANCHOR.findall(body_html)]
    text = html.unescape(_ANCHOR.sub(" ", body_html))
    bare = [url.rstrip(_TRAILING) for url in URL_IN_TEXT.findall(text)]
    return anchors + [url if "://" in url else f"http://{url}" for url in bare]


def check(candidate: Candidate, connection: Connection, config: Mapping[str, Any]) -> Verdict | None:
    """Hold a comment with too many links for moderation."""
    count, limit = len(links_in(candidate.comment.body_html)), int(config["MAX_LINKS"])
    if count > limit:
        reason = Reason.ngettext(
            "%(num)s link (more than %(limit)s)", "%(num)s links (more than %(limit)s)", count, limit=limit
        )
        return Verdict(Action.PENDING, reason)
    return None
