"""Plain, render-ready views of a thread: its comment tree, linkbacks and counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Protocol

from ..store.models import Kind, State
from ..store.threads import VisibleRow
from .nesting import nest


class ThreadFacts(Protocol):
    """What a thread's view and feed show of the thread itself: a mapped Thread or a plain row of it."""

    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def published(self) -> datetime | None: ...
    @property
    def closed_explicitly(self) -> bool: ...
    @property
    def language(self) -> str: ...


@dataclass
class CommentNode:
    """One comment as a page shows it, with its visible replies."""

    id: int
    author: str
    website: str
    body_html: str
    created: datetime
    by_post_author: bool
    deleted: bool
    depth: int = 1
    children: list[CommentNode] = field(default_factory=list)
    # Never shown: the avatar is drawn from a keyed hash of it (or of the name, without one).
    email: str = ""
    # Only on the page the service shows a comment's own writer: not published yet.
    pending: bool = False
    # Only there too: the reader's own comment, and where they may still edit it ("" once they cannot).
    own: bool = False
    edit_url: str = ""
    edit_until: datetime | None = None


@dataclass(frozen=True)
class LinkbackEntry:
    """A trackback, pingback or webmention as a page shows it."""

    id: int
    kind: str
    source_url: str
    title: str
    blog_name: str
    excerpt: str
    created: datetime


@dataclass
class ThreadView:
    """Everything the templates need to show one post's comment data."""

    slug: str
    # Closed by a moderator or the metadata; render_region adds closure by age.
    closed: bool
    roots: list[CommentNode]
    linkbacks: list[LinkbackEntry]
    comment_count: int
    published: datetime | None = None
    # The post's Lang; empty for the site's default language.
    language: str = ""
    # Top-level comments past the site's limit, which pages fold away (render_region moves them here).
    more: list[CommentNode] = field(default_factory=list)


def empty_view(slug: str, closed: bool = False, published: datetime | None = None, language: str = "") -> ThreadView:
    """Return the view of a post nobody has commented on yet."""
    return ThreadView(
        slug=slug, closed=closed, roots=[], linkbacks=[], comment_count=0, published=published, language=language
    )


def build_view(thread: ThreadFacts, rows: Iterable[VisibleRow], own: frozenset[int] = frozenset()) -> ThreadView:
    """Assemble a thread's view from its approved rows and deleted placeholders.

    own names the reader's own comments, shown to them alone, also while they wait for moderation.
    """
    comments = [r for r in rows if r.kind == Kind.COMMENT]
    linkbacks = [r for r in rows if r.kind != Kind.COMMENT and r.state == State.APPROVED]
    grow = _comment_node if not own else partial(_own_or_visible_node, own)
    roots = nest(sorted(comments, key=_order), grow)
    count = sum(1 for c in comments if c.state == State.APPROVED)
    return ThreadView(
        slug=thread.slug,
        closed=thread.closed_explicitly,
        roots=roots,
        linkbacks=[_linkback(r) for r in sorted(linkbacks, key=_order)],
        comment_count=count,
        published=thread.published,
        language=thread.language,
    )


def _order(row: VisibleRow) -> tuple[datetime, int]:
    return (row.created, row.id)


def _linkback(row: VisibleRow) -> LinkbackEntry:
    return LinkbackEntry(
        id=row.id,
        kind=row.kind.value,
        source_url=row.source_url,
        title=row.title,
        blog_name=row.blog_name,
        excerpt=row.body_source,
        created=row.created,
    )


class ShownComment(Protocol):
    """What a page shows of a stored comment: a plain row of it or a mapped Comment."""

    @property
    def id(self) -> int: ...
    @property
    def author(self) -> str: ...
    @property
    def website(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def body_html(self) -> str: ...
    @property
    def created(self) -> datetime: ...
    @property
    def by_post_author(self) -> bool: ...


def comment_node(
    row: ShownComment,
    depth: int = 1,
    kids: list[CommentNode] | None = None,
    pending: bool = False,
    own: bool = False,
) -> CommentNode:
    """Return a comment as a page shows it, with its replies' nodes and the reader's own marks (pending, own)."""
    return CommentNode(
        id=row.id,
        author=row.author,
        website=row.website,
        body_html=row.body_html,
        created=row.created,
        by_post_author=row.by_post_author,
        deleted=False,
        depth=depth,
        children=kids or [],
        email=row.email,
        pending=pending,
        own=own,
    )


def _comment_node(row: VisibleRow, depth: int, kids: list[CommentNode]) -> CommentNode | None:
    """Show an approved comment; keep a deleted one only as a placeholder with visible replies."""
    if row.state == State.APPROVED:
        return comment_node(row, depth, kids)
    if row.state != State.DELETED or not kids:
        return None
    return CommentNode(
        id=row.id, author="", website="", body_html="", created=row.created, by_post_author=False, deleted=True,
        depth=depth, children=kids,
    )  # fmt: skip


def _own_or_visible_node(
    own: frozenset[int], row: VisibleRow, depth: int, kids: list[CommentNode]
) -> CommentNode | None:
    """Show the reader's own comment whatever moderation made of it (spam looks pending), and the rest as pages do."""
    if row.id not in own or row.state == State.DELETED:
        return _comment_node(row, depth, kids)
    return comment_node(row, depth, kids, pending=row.state != State.APPROVED, own=True)
