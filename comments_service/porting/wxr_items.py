"""Read a WordPress export (WXR 1.0–1.2, http or https namespaces) into plain records."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from .plan import PortingError
from .xml_input import child_text, children, split_tag

WP_NAMESPACE = re.compile(r"https?://wordpress\.org/export/1\.[012]/")
ANY_WXR_NAMESPACE = re.compile(r"https?://wordpress\.org/export/[^/]+/")
CONTENT_NAMESPACES = ("http://purl.org/rss/1.0/modules/content/", "https://purl.org/rss/1.0/modules/content/")
DC_NAMESPACES = ("http://purl.org/dc/elements/1.1/", "https://purl.org/dc/elements/1.1/")
NO_DATE = "0000-00-00 00:00:00"


@dataclass(frozen=True)
class WxrAuthor:
    """A WordPress account that wrote posts."""

    login: str
    display_name: str
    email: str
    user_id: str


@dataclass
class WxrComment:
    """One wp:comment as exported."""

    comment_id: str
    parent_id: str
    comment_type: str
    approved: str
    author: str
    email: str
    url: str
    ip: str
    created: datetime | None
    content: str
    user_id: str


@dataclass
class WxrItem:
    """One channel item: a post, page, attachment or anything else WordPress stores."""

    post_id: str
    post_type: str
    status: str
    title: str
    link: str
    creator: str
    slug: str
    published: datetime | None
    content: str
    excerpt: str
    comment_status: str
    password: str
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    comments: list[WxrComment] = field(default_factory=list)


@dataclass
class WxrExport:
    """A whole export: its authors by login and its items in file order."""

    authors: dict[str, WxrAuthor]
    items: list[WxrItem]


def _wp_namespaces(root: Element) -> tuple[str, ...]:
    seen = {split_tag(element)[0] for element in root.iter()}
    found = tuple(sorted(ns for ns in seen if WP_NAMESPACE.fullmatch(ns)))
    if found:
        return found
    other = sorted(ns for ns in seen if ANY_WXR_NAMESPACE.fullmatch(ns))
    if other:
        raise PortingError(f"unsupported WXR version ({other[0]}); Kiln reads WXR 1.0, 1.1 and 1.2")
    raise PortingError("not a WordPress export: no WXR (wordpress.org/export) elements found")


def gmt_date(value: str) -> datetime | None:
    """Parse a WXR 'YYYY-MM-DD HH:MM:SS' GMT field; None when empty or zeroed."""
    value = value.strip()
    if not value or value == NO_DATE:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _rss_date(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value.strip()).astimezone(UTC)
    except (TypeError, ValueError, IndexError):
        return None


def text_field(value: str) -> str:
    """Decode the one layer of HTML escaping WordPress stores names and terms with."""
    return html.unescape(value).strip()


def read_export(root: Element) -> WxrExport:
    """Turn a parsed WXR document into authors and items."""
    if split_tag(root)[1] != "rss" or not list(children(root, "channel")):
        raise PortingError("not a WordPress export: the root element must be <rss> with a <channel>")
    wp = _wp_namespaces(root)
    channel = next(children(root, "channel"))
    authors = {}
    for element in children(channel, "author", wp):
        login = child_text(element, "author_login", wp).strip()
        authors[login] = WxrAuthor(
            login=login,
            display_name=text_field(child_text(element, "author_display_name", wp)) or login,
            email=child_text(element, "author_email", wp).strip(),
            user_id=child_text(element, "author_id", wp).strip(),
        )
    items = [_item(element, wp) for element in children(channel, "item")]
    return WxrExport(authors=authors, items=items)


def _item(element: Element, wp: tuple[str, ...]) -> WxrItem:
    def text(name: str) -> str:
        return child_text(element, name, wp)

    published = (
        gmt_date(text("post_date_gmt")) or gmt_date(text("post_date")) or _rss_date(child_text(element, "pubDate"))
    )
    item = WxrItem(
        post_id=text("post_id").strip(),
        post_type=text("post_type").strip() or "post",
        status=text("status").strip(),
        title=" ".join(child_text(element, "title").split()),
        link=child_text(element, "link").strip(),
        creator=child_text(element, "creator", DC_NAMESPACES).strip(),
        slug=unquote(text("post_name").strip()),
        published=published,
        content=child_text(element, "encoded", CONTENT_NAMESPACES),
        excerpt=_excerpt(element),
        comment_status=text("comment_status").strip(),
        password=text("post_password"),
    )
    for category in children(element, "category"):
        name = text_field(category.text or "")
        if category.get("domain") == "category" and name:
            item.categories.append(name)
        elif category.get("domain") == "post_tag" and name:
            item.tags.append(name)
    item.comments = [_comment(c, wp) for c in children(element, "comment", wp)]
    return item


def _excerpt(element: Element) -> str:
    for child in element:
        namespace, local = split_tag(child)
        if local == "encoded" and namespace.endswith("/excerpt/"):
            return child.text or ""
    return ""


def _comment(element: Element, wp: tuple[str, ...]) -> WxrComment:
    def text(name: str) -> str:
        return child_text(element, name, wp).strip()

    return WxrComment(
        comment_id=text("comment_id"),
        parent_id=text("comment_parent") or "0",
        comment_type=text("comment_type") or "comment",
        approved=text("comment_approved"),
        author=text_field(child_text(element, "comment_author", wp)),
        email=text("comment_author_email"),
        url=text("comment_author_url"),
        ip=text("comment_author_IP"),
        created=gmt_date(text("comment_date_gmt")) or gmt_date(text("comment_date")),
        content=child_text(element, "comment_content", wp).strip(),
        user_id=text("comment_user_id"),
    )
