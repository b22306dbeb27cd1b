"""Rate limits per source host, shared by the three protocols, in Flask-Limiter's storage."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from limits import parse_many

from ..extensions import limiter


def source_host_allowed(source_url: str) -> bool:
    """Count a ping from source_url's host and tell whether that host is still within its limit."""
    try:
        host = (urlsplit(source_url).hostname or "").lower()
    except ValueError:
        host = ""
    limits = parse_many(current_app.config["LINKBACK_SOURCE_RATE_LIMIT"])
    return all(limiter.limiter.hit(limit, "linkback-source", host) for limit in limits)
