"""Kiln's own addresses: where the site lives, each post's URL, and which post a target URL names."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from flask import Flask
from sqlalchemy.orm import Session

from ..blog.identity import identity_of
from ..store.linkback_records import thread_by_url
from ..store.models import Thread
from ..text.text_policy import problem
from .reachable import DEFAULT_PORTS


def normalize(url: str) -> str | None:
    """Return url in a comparable form (lower-case scheme and host, no default port or fragment), or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def is_absolute(url: str) -> bool:
    """Tell whether url is an absolute http(s) URL."""
    return normalize(url) is not None


def configured_base(app: Flask) -> str:
    """Return the site's absolute base URL (SITE_URL, else Pelican's SITEURL), or "" if it is not absolute."""
    base = identity_of(app).site_url
    return base if is_absolute(base) else ""


def post_url(base: str, thread: Thread) -> str:
    """Return a post's absolute URL under the site's base URL."""
    return f"{base.rstrip('/')}/{thread.url.lstrip('/')}"


@dataclass(frozen=True)
class TargetMatch:
    """What a target URL names: one of our posts, a missing page on our site, or somewhere else."""

    thread: Thread | None
    on_our_site: bool


def find_target(session: Session, target: str, base: str) -> TargetMatch:
    """Find the post a target URL points at (query and fragment are ignored)."""
    ours, wanted = normalize(base), normalize(target)
    if ours is None or wanted is None:
        return TargetMatch(None, False)
    site, page = urlsplit(ours), urlsplit(wanted)
    prefix = site.path.rstrip("/") + "/"
    if page.netloc != site.netloc or not page.path.startswith(prefix):
        return TargetMatch(None, False)
    relative = unquote(page.path[len(prefix) :])
    # A post's address never holds a control character (%00 included): such a path names no post.
    named = relative and problem(relative, one_line=True) is None
    return TargetMatch(thread_by_url(session, relative) if named else None, True)
