"""Let the site's own pages read the service's answers when the service lives on another origin (the script)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app, request

from ..blog.identity import identity_of


def origin_of(url: str) -> str:
    """Return the origin (scheme://host:port) of an absolute URL, or "" for a relative one."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def allow_the_site(response: Response) -> Response:
    """Add CORS headers for a request from the site's own origin, and only for it (with its cookies)."""
    origin = request.headers.get("Origin", "")
    if origin and origin == origin_of(identity_of(current_app).site_url):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.vary.add("Origin")
    return response
