"""Plain, render-ready views of a thread: its comment tree, linkbacks and counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..store.models import Kind, State


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


@dataclass(frozen=True, slots=True)
class VisibleRow:
    """The columns of a stored comment or linkback that pages and feeds show."""

    id: int
    thread_id: int
    parent_id: int | None
    kind: Kind
    state: State
    author: str
    website: str
    body_html: str
    body_source: str
    created: datetime
    by_post_author: bool
    source_url: str
    title: str
    blog_name: str


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


def empty_view(slug: str, closed: bool = False, published: datetime | None = None) -> ThreadView:
    """Return the view of a post nobody has commented on yet."""
    return ThreadView(slug=slug, closed=closed, roots=[], linkbacks=[], comment_count=0, published=published)


def build_view(thread: ThreadFacts, rows: Iterable[VisibleRow]) -> ThreadView:
    """Assemble a thread's view from its approved rows and deleted placeholders."""
    comments = [r for r in rows if r.kind == Kind.COMMENT]
    linkbacks = [r for r in rows if r.kind != Kind.COMMENT and r.state == State.APPROVED]
    roots = _visible_tree(comments)
    count = sum(1 for c in comments if c.state == State.APPROVED)
    return ThreadView(
        slug=thread.slug,
        closed=thread.closed_explicitly,
        roots=roots,
        linkbacks=[_linkback(r) for r in sorted(linkbacks, key=_order)],
        comment_count=count,
        published=thread.published,
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


def _visible_tree(rows: Sequence[VisibleRow]) -> list[CommentNode]:
    """Nest approved comments; keep a deleted one only as a placeholder with visible replies."""
    children: dict[int | None, list[VisibleRow]] = defaultdict(list)
    for row in sorted(rows, key=_order):
        children[row.parent_id].append(row)
    known = {r.id for r in rows}
    # A reply whose parent is gone from this thread is shown at the top level.
    tops = [r for parent, group in children.items() if parent is None or parent not in known for r in group]
    return [n for r in sorted(tops, key=_order) if (n := _grow(r, 1, children))]


# A function of the module, not a closure calling itself: such a closure is a reference
# cycle, which kept every row of the thread alive after a bake until the collector ran.
def _grow(row: VisibleRow, depth: int, children: dict[int | None, list[VisibleRow]]) -> CommentNode | None:
    kids = [n for k in children.get(row.id, []) if (n := _grow(k, depth + 1, children))]
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
