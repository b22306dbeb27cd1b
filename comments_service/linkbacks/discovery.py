"""Find where a page takes linkbacks: Webmention first (W3C rules), then Pingback, then TrackBack RDF."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from werkzeug.http import parse_options_header

from .fetcher import Response
from .page import Page, parse_html, read_page
from .targets import normalize

# A comma followed by "<" starts the next link-value; a URI reference cannot contain "<" itself.
_NEXT_LINK = re.compile(r",\s*(?=<)")


@dataclass(frozen=True)
class Endpoint:
    """A discovered endpoint: which protocol, and its absolute URL."""

    protocol: str
    url: str


def discover(response: Response, target: str) -> Endpoint | None:
    """Return the endpoint a fetched page advertises, preferring Webmention, then Pingback, then TrackBack."""
    page = read_page(response)
    if url := webmention_endpoint(response, page):
        return Endpoint("webmention", url)
    if url := pingback_endpoint(response, page):
        return Endpoint("pingback", url)
    if url := trackback_endpoint(page, target):
        return Endpoint("trackback", url)
    return None


def link_header_values(header: str) -> list[tuple[str, set[str]]]:
    """Split one Link header into (URI reference, rel values) pairs."""
    values = []
    for piece in _NEXT_LINK.split(header.strip()):
        piece = piece.strip()
        end = piece.find(">")
        if not piece.startswith("<") or end < 0:
            continue
        _, params = parse_options_header("link" + piece[end + 1 :])
        values.append((piece[1:end].strip(), set(params.get("rel", "").lower().split())))
    return values


def webmention_endpoint(response: Response, page: Page) -> str | None:
    """Apply the W3C discovery rules: Link headers first, then the first <link>/<a> in document order."""
    for header in response.headers.get_all("Link") or []:
        for reference, rels in link_header_values(header):
            if "webmention" in rels:
                return urljoin(response.url, reference)
    for link in page.links:
        # Comments and escaped markup never reach here: the parser does not report them as elements.
        if link.tag in {"link", "a"} and "webmention" in link.rels and link.href is not None:
            return urljoin(response.url, link.href)
    return None


def pingback_endpoint(response: Response, page: Page) -> str | None:
    """Apply Pingback 1.0 autodiscovery: the X-Pingback header, else <link rel="pingback">."""
    header = response.headers.get("X-Pingback")
    if header and header.strip():
        return urljoin(response.url, header.strip())
    for link in page.links:
        if link.tag == "link" and "pingback" in link.rels and link.href:
            return urljoin(response.url, link.href)
    return None


class _RDFReader:
    """Collect the attributes of rdf:Description elements in a TrackBack autodiscovery block."""

    def __init__(self) -> None:
        self.descriptions: list[dict[str, str]] = []

    def start(self, tag: str, attrib: Mapping[str, str]) -> None:
        # The HTML parser knows no namespaces: it reports "rdf:Description" as one lower-cased name.
        if tag == "rdf:description":
            self.descriptions.append(dict(attrib))

    def close(self) -> None:
        return None


def trackback_endpoint(page: Page, target: str) -> str | None:
    """Return the trackback:ping URL of the RDF block that describes target (or of the only block)."""
    reader = _RDFReader()
    parse_html(reader, "".join(comment for comment in page.comments if "trackback:ping" in comment))
    pings = [d for d in reader.descriptions if d.get("trackback:ping")]
    wanted = normalize(urljoin(page.url, target))
    for description in pings:
        named = description.get("dc:identifier") or description.get("rdf:about") or ""
        if normalize(urljoin(page.url, named)) == wanted:
            return urljoin(page.url, description["trackback:ping"])
    return urljoin(page.url, pings[0]["trackback:ping"]) if len(pings) == 1 else None
