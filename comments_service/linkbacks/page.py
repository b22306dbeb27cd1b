"""Read a fetched page with libxml2's HTML parser: its links, title, site name, text and comments."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from .fetcher import Response

LINK_TAGS = frozenset({"a", "area", "link"})
# Text inside these is not what a reader sees around a link.
_HIDDEN = frozenset({"script", "style", "template", "noscript", "title", "textarea"})
_BLOCKS = frozenset({"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "tr", "td"})
_SITE_NAME_META = frozenset({"og:site_name", "application-name"})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Link:
    """A link element as written: tag, rel values (lower-cased), href (None if absent), where it sits in the text."""

    tag: str
    rels: frozenset[str]
    href: str | None
    offset: int


@dataclass
class Page:
    """What a page says, in document order."""

    url: str
    plain: bool = False
    links: list[Link] = field(default_factory=list)
    title: str = ""
    site_name: str = ""
    text: str = ""
    comments: list[str] = field(default_factory=list)


def parse_html(target: object, markup: str) -> None:
    """Run libxml2's HTML parser over markup, reporting to target's start/end/data/comment/close methods."""
    # libxml2 reads in one pass, unlike the standard library's HTMLParser, which rescans to the end for
    # every tag left open ("<a<a<a…") and so costs the square of a hostile page's length.
    # libxml2 may stop reading at a nesting depth of 256 (2048 with huge_tree): old pages of unclosed
    # <font> or <div> reach that before the link. Without a tree, depth costs little, and the size
    # limits huge_tree also lifts do not matter for a source of at most FETCH_MAX_BYTES.
    parser = etree.HTMLParser(target=target, encoding="utf-8", huge_tree=True)
    # Bytes with their encoding stated, not str: lxml refuses a str it cannot encode (a lone surrogate
    # from a UTF-7 page becomes "?" here), and a <meta charset> or an XML declaration in text already
    # decoded must not make libxml2 decode it again. (close() after no feed at all is an error; b"" is not.)
    parser.feed(markup.encode("utf-8", errors="replace"))
    parser.close()


class _Reader:
    """Collect links, title, site name, visible text and comments as libxml2 reports them."""

    def __init__(self) -> None:
        self.links: list[Link] = []
        self.comments: list[str] = []
        self.title: list[str] = []
        self.site_name = ""
        self._text: list[str] = []
        self._length = 0
        self._hidden: list[str] = []
        self._in_title = False
        self._seen_title = False

    def start(self, tag: str, attrib: Mapping[str, str]) -> None:
        # libxml2 lower-cases names, decodes entities and keeps the first of repeated attributes, as browsers do.
        if tag in LINK_TAGS:
            rels = frozenset(attrib.get("rel", "").lower().split())
            self.links.append(Link(tag, rels, attrib.get("href"), self._length))
        elif tag == "meta" and (attrib.get("property") or attrib.get("name", "")).lower() in _SITE_NAME_META:
            self.site_name = self.site_name or attrib.get("content", "")
        if tag == "title" and not self._seen_title:
            self._in_title = True
        if tag in _HIDDEN:
            self._hidden.append(tag)
        elif tag in _BLOCKS:
            self._add(" ")

    def end(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title, self._seen_title = False, True
        if tag in _HIDDEN and tag in self._hidden:
            while self._hidden and self._hidden.pop() != tag:
                pass
        elif tag in _BLOCKS:
            self._add(" ")

    def data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._hidden:
            self._add(_SPACE.sub(" ", data))

    def comment(self, text: str) -> None:
        self.comments.append(text)

    def close(self) -> None:
        return None

    def _add(self, text: str) -> None:
        self._text.append(text)
        self._length += len(text)

    @property
    def text(self) -> str:
        return "".join(self._text)


def read_page(response: Response) -> Page:
    """Parse an HTML page; a plain-text page is all text and no elements."""
    if response.media_type == "text/plain":
        return Page(url=response.url, plain=True, text=response.text())
    return read_html(response.url, response.text())


def read_html(url: str, markup: str) -> Page:
    """Parse HTML markup served at url."""
    reader = _Reader()
    parse_html(reader, markup)
    return Page(
        url=url,
        links=reader.links,
        title=" ".join("".join(reader.title).split()),
        site_name=reader.site_name,
        text=reader.text,
        comments=reader.comments,
    )
