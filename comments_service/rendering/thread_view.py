"""Plain, render-ready views of a thread: its comment tree, linkbacks and counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
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


def empty_view(slug: str, closed: bool = False, published: datetime | None = None, language: str = "") -> ThreadView:
    """Return the view of a post nobody has commented on yet."""
    return ThreadView(
        slug=slug, closed=closed, roots=[], linkbacks=[], comment_count=0, published=published, language=language
    )


def build_view(thread: ThreadFacts, rows: Iterable[VisibleRow]) -> ThreadView:
    """Assemble a thread's view from its approved rows and deleted placeholders."""
    comments = [r for r in rows if r.kind == Kind.COMMENT]
    linkbacks = [r for r in rows if r.kind != Kind.COMMENT and r.state == State.APPROVED]
    roots = nest(sorted(comments, key=_order), _comment_node)
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


def _comment_node(row: VisibleRow, depth: int, kids: list[CommentNode]) -> CommentNode | None:
    """Show an approved comment; keep a deleted one only as a placeholder with visible replies."""
    if row.state != State.APPROVED and not (row.state == State.DELETED and kids):
        return None
    deleted = row.state == State.DELETED
    return CommentNode(
        id=row.id,
        author="" if deleted else row.author,
        website="" if deleted else row.website,
        body_html="" if deleted else row.body_html,
        created=row.created,
        by_post_author=row.by_post_author and not deleted,
        deleted=deleted,
        depth=depth,
        children=kids,
    )
