"""Atom feeds of approved comments, one per post and one for the site, from the theme's templates."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, partial

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.runtime import Macro
from markupsafe import Markup

from ..language.catalogs import catalog_key
from ..language.choice import PageLanguage
from ..language.jinja import chrome_of, install_gettext
from ..store.models import Kind, State
from ..store.threads import FeedEntry, VisibleRow
from .feed_entries import previous_entries, reuse_or_render
from .fences import digest
from .render import RenderOptions, template_key
from .thread_view import ThreadFacts

SITE_FEED_PATH = "feeds/comments.atom.xml"
FEED_TEMPLATE = "kiln/comments.atom.xml"
ENTRY_TEMPLATE = "kiln/comment.atom.xml"
# A feed with no comments still needs an <updated>: its post's date, or this fixed one.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# XML 1.0 forbids most control characters, which a pasted or imported comment may carry.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A feed title is plain text with no element to confine a name's direction to, so the controls that
# reorder the text around them (marks, embeddings, overrides, isolates) are dropped from it.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain_line(value: str) -> str:
    """Return single-line text without the controls that reorder it or XML forbids, for a feed's plain-text fields."""
    # Also here, not only in finalize: a value set into a translated message is escaped before finalize sees it.
    return _NOT_XML.sub("", _BIDI_CONTROLS.sub("", value))


@dataclass(frozen=True)
class PostFeed:
    """A post's approved comments, newest first, with what its feed says about the post."""

    slug: str
    title: str
    url: str
    published: datetime | None
    entries: list[FeedEntry] = field(default_factory=list)
    # The post's Lang; empty for the site's default language.
    language: str = ""


def build_feed(thread: ThreadFacts, rows: Iterable[VisibleRow]) -> PostFeed:
    """Assemble a post's feed from its rows: approved comments, newest first."""
    # The post's values read once, not through the mapped attributes for every comment.
    post = (thread.slug, thread.title, thread.url)
    approved = [
        FeedEntry(r.id, r.author, r.website, r.body_html, r.created, *post)
        for r in rows
        if r.kind == Kind.COMMENT and r.state == State.APPROVED
    ]
    approved.sort(key=lambda entry: entry.order, reverse=True)
    return PostFeed(
        slug=thread.slug,
        title=thread.title,
        url=thread.url,
        published=thread.published,
        entries=approved,
        language=thread.language,
    )


def post_feed_path(slug: str) -> str:
    """Return where a post's comment feed lives, relative to the output folder."""
    return f"feeds/comments/{slug}.atom.xml"


def atom_id(url: str) -> str:
    """Return a permanent, absolute Atom id for a URL (a name-based UUID, valid even without SITEURL)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"


def atom_date(moment: datetime) -> str:
    """Format a time as RFC 3339 in UTC, as Atom wants it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml_safe(value: object) -> object:
    # Markup here is an entry this module rendered (and cleaned) already.
    return _NOT_XML.sub("", value) if isinstance(value, str) and not isinstance(value, Markup) else value


@cache
def _environment(templates: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_xml_safe,
    )
    env.filters["atom_date"] = atom_date
    env.filters["atom_id"] = atom_id
    env.filters["plain_line"] = plain_line
    install_gettext(env, chrome_of)
    return env


def _render(
    options: RenderOptions,
    language: PageLanguage,
    title: str,
    self_path: str,
    page_path: str,
    entries: list[FeedEntry],
    quiet_since: datetime = EPOCH,
    previous: str = "",
) -> bytes:
    env = _environment(options.theme_templates)
    # Looked up per feed, so an edited template (a new Template object) is used at once.
    module = env.get_template(ENTRY_TEMPLATE).make_module({"language": language})
    macro: Macro = module.atom_entry  # type: ignore[attr-defined]
    # An entry rendered in another language, or with other wording, is rendered anew.
    entry_key = digest((template_key(env, ENTRY_TEMPLATE), language, catalog_key(language.chrome)))
    known = previous_entries(previous)
    rendered = []
    link = options.site.site_link
    for entry in entries:
        url = link(f"{entry.post_url}#comment-{entry.id}")
        rendered.append(reuse_or_render(entry, url, entry_key, known, partial(macro, entry, url)))
    text = env.get_template(FEED_TEMPLATE).render(
        language=language,
        title=title,
        self_url=link(self_path),
        page_url=link(page_path),
        updated=entries[0].created if entries else quiet_since,
        entries=rendered,
    )
    return (text + "\n").encode("utf-8")


def render_post_feed(feed: PostFeed, options: RenderOptions, previous: str = "") -> bytes:
    """Render a post's feed of its latest comments, newest first, reusing the unchanged entries of previous."""
    # As long as the site's feed: a feed tells what is new, the page keeps the whole thread.
    entries = feed.entries[: options.feed_length]
    path, published = post_feed_path(feed.slug), feed.published or EPOCH
    language = options.site.page_language(feed.language)
    return _render(options, language, feed.title, path, feed.url, entries, published, previous)


def render_site_feed(entries: list[FeedEntry], options: RenderOptions, previous: str = "") -> bytes:
    """Render the site's feed of its latest approved comments, reusing the unchanged entries of previous."""
    language = options.site.page_language(None)
    return _render(options, language, options.site.site_name, SITE_FEED_PATH, "", entries, previous=previous)
