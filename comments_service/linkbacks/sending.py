"""Send linkbacks from one of our posts to the pages it links to, once per page."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
import xmlrpc.client
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit
from xml.parsers.expat import ExpatError

from sqlalchemy.orm import Session

from ..store.linkback_records import record_sent, sent_to
from ..store.models import SentLinkback, Thread
from . import fetcher
from .discovery import Endpoint, discover
from .page import read_html
from .targets import is_absolute
from .verify import mention_in

SENT, NO_ENDPOINT, FAILED = "sent", "no endpoint", "failed"
# A target that took a ping, or that takes none, is never pinged again; failures are retried.
SETTLED = frozenset({SENT, NO_ENDPOINT})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Post:
    """One of our posts as a linkback source: its URL, title, the site's name and the built page."""

    url: str
    title: str
    blog_name: str
    html: str


@dataclass(frozen=True)
class Result:
    """What happened when pinging one target."""

    target: str
    protocol: str
    endpoint: str
    status: str
    detail: str = ""


class _ContentLinks(HTMLParser):
    """Collect hrefs inside the element with class entry-content (the theme's post body)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self._depth = 0  # elements open inside the post body; 0 means outside it

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        href = values.get("href")
        if self._depth:
            if tag not in _VOID:
                self._depth += 1
            if tag == "a" and href:
                self.hrefs.append(href)
        elif "entry-content" in (values.get("class") or "").split():
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag not in _VOID:
            self._depth -= 1


def outbound_links(post: Post) -> list[str]:
    """Return the absolute http(s) URLs the post's body links to, off our own host, first one first."""
    reader = _ContentLinks()
    reader.feed(post.html)
    reader.close()
    own = urlsplit(post.url).netloc.lower()
    links = [urldefrag(urljoin(post.url, href)).url for href in reader.hrefs]
    return list(dict.fromkeys(u for u in links if is_absolute(u) and urlsplit(u).netloc.lower() != own))


def send_from(session: Session, thread: Thread, post: Post, policy: fetcher.Policy) -> list[Result]:
    """Ping every page the post links to that has not been pinged yet, recording each outcome."""
    done = sent_to(session, thread.slug)
    results = []
    for target in outbound_links(post):
        row: SentLinkback | None = done.get(target)
        if row is not None and row.status in SETTLED:
            continue
        result = send_one(post, target, policy)
        record_sent(
            session,
            row,
            thread.slug,
            target,
            protocol=result.protocol,
            endpoint=result.endpoint,
            status=result.status,
            detail=result.detail,
        )
        session.commit()
        results.append(result)
    return results


def send_one(post: Post, target: str, policy: fetcher.Policy) -> Result:
    """Discover target's endpoint and ping it."""
    try:
        page = fetcher.get(target, policy)
    except fetcher.FetchError as error:
        return Result(target, "", "", FAILED, f"cannot fetch the page: {error}")
    if page.status >= 400:
        return Result(target, "", "", FAILED, f"the page answered HTTP {page.status}")
    endpoint = discover(page, target)
    if endpoint is None:
        return Result(target, "", "", NO_ENDPOINT)
    senders = {"webmention": _webmention, "pingback": _pingback, "trackback": _trackback}
    try:
        status, detail = senders[endpoint.protocol](post, target, endpoint, policy)
    except fetcher.FetchError as error:
        status, detail = FAILED, f"cannot reach the endpoint: {error}"
    return Result(target, endpoint.protocol, endpoint.url, status, detail)


def _webmention(post: Post, target: str, endpoint: Endpoint, policy: fetcher.Policy) -> tuple[str, str]:
    body = urlencode({"source": post.url, "target": target}).encode()
    response = fetcher.post(endpoint.url, body, _FORM, policy)
    return (SENT if 200 <= response.status < 300 else FAILED), f"HTTP {response.status}"


def _pingback(post: Post, target: str, endpoint: Endpoint, policy: fetcher.Policy) -> tuple[str, str]:
    call = xmlrpc.client.dumps((post.url, target), "pingback.ping", encoding="utf-8").encode()
    response = fetcher.post(endpoint.url, call, "text/xml", policy)
    try:
        (answer,), _ = xmlrpc.client.loads(response.body)
    except xmlrpc.client.Fault as fault:
        # 48: the target already has it, which is what we wanted.
        return (SENT if fault.faultCode == 48 else FAILED), f"fault {fault.faultCode}: {fault.faultString}"
    except (ExpatError, xmlrpc.client.Error, ValueError, TypeError) as error:
        return FAILED, f"HTTP {response.status}, not an XML-RPC answer: {error}"
    return SENT, str(answer)[:500]


def _trackback(post: Post, target: str, endpoint: Endpoint, policy: fetcher.Policy) -> tuple[str, str]:
    excerpt = mention_in(read_html(post.url, post.html), target).excerpt
    fields = {"url": post.url, "title": post.title, "excerpt": excerpt, "blog_name": post.blog_name}
    response = fetcher.post(endpoint.url, urlencode(fields).encode(), f"{_FORM}; charset=utf-8", policy)
    try:
        document = ElementTree.fromstring(response.body)
    except ElementTree.ParseError as error:
        return FAILED, f"HTTP {response.status}, not a TrackBack answer: {error}"
    if (document.findtext("error") or "").strip() == "0":
        return SENT, ""
    return FAILED, (document.findtext("message") or "error").strip()[:500]
