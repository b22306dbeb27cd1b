"""Where the three endpoints live, and how pages point senders at them (head links and HTTP headers)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response

TRACKBACK_PATH = "/trackback/<slug>"
PINGBACK_PATH = "/pingback"
WEBMENTION_PATH = "/webmention"


@dataclass(frozen=True)
class Endpoints:
    """The absolute URLs of a service's linkback endpoints."""

    pingback: str
    webmention: str
    trackback_base: str

    def trackback(self, slug: str) -> str:
        """Return one post's TrackBack ping URL."""
        return self.trackback_base + slug


def endpoints_at(service_url: str) -> Endpoints:
    """Return the endpoints of the service whose absolute base URL is service_url."""
    base = service_url.rstrip("/")
    return Endpoints(
        pingback=base + PINGBACK_PATH,
        webmention=base + WEBMENTION_PATH,
        trackback_base=base + TRACKBACK_PATH.replace("<slug>", ""),
    )


def add_discovery_headers(response: Response, service_url: str) -> None:
    """Advertise Pingback (X-Pingback) and Webmention (Link) on an HTML page the service serves."""
    if response.mimetype != "text/html":
        return
    endpoints = endpoints_at(service_url)
    response.headers["X-Pingback"] = endpoints.pingback
    response.headers.add("Link", f'<{endpoints.webmention}>; rel="webmention"')
