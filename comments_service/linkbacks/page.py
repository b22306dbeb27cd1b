"""Read a fetched page with the standard library's HTML parser: its links, title, site name, text and comments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

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


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.comments: list[str] = []
        self.title: list[str] = []
        self.site_name = ""
        self._text: list[str] = []
        self._length = 0
        self._hidden: list[str] = []
        self._in_title = False
        self._seen_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")  # the first of repeated attributes wins, as in browsers
        if tag in LINK_TAGS:
            rels = frozenset(values.get("rel", "").lower().split())
            self.links.append(Link(tag, rels, values.get("href"), self._length))
        elif tag == "meta" and (values.get("property") or values.get("name", "")).lower() in _SITE_NAME_META:
            self.site_name = self.site_name or values.get("content", "")
        if tag == "title" and not self._seen_title:
            self._in_title = True
        if tag in _HIDDEN:
            self._hidden.append(tag)
        elif tag in _BLOCKS:
            self._add(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title, self._seen_title = False, True
        if tag in _HIDDEN and tag in self._hidden:
            while self._hidden and self._hidden.pop() != tag:
                pass
        elif tag in _BLOCKS:
            self._add(" ")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._hidden:
            self._add(_SPACE.sub(" ", data))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

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
    reader.feed(markup)
    reader.close()
    return Page(
        url=url,
        links=reader.links,
        title=" ".join("".join(reader.title).split()),
        site_name=reader.site_name,
        text=reader.text,
        comments=reader.comments,
    )
