"""Named queries on threads: the built posts, their rows, and the visible comments a view or feed is built from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from .driver_sql import DriverStatement
from .models import Comment, Kind, State, Thread

VISIBLE_STATES = (State.APPROVED, State.DELETED)


@dataclass(frozen=True)
class PostInfo:
    """What a build knows about a post that has a comment thread."""

    slug: str
    title: str
    author: str
    url: str
    published: datetime | None
    closed_by_metadata: bool
    # The post's Lang; empty for the site's default language.
    language: str = ""


@dataclass(frozen=True)
class ThreadRow:
    """A thread's own columns, as a plain value: what taking a comment needs of its thread."""

    id: int
    slug: str
    title: str
    url: str
    published: datetime | None
    closed: bool
    closed_by_metadata: bool
    language: str

    # The same rule as the mapped thread's, read from the same two columns.
    closed_explicitly = Thread.closed_explicitly


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
    # Never shown: an avatar is drawn from a keyed hash of it.
    email: str
    body_html: str
    body_source: str
    created: datetime
    by_post_author: bool
    source_url: str
    title: str
    blog_name: str


@dataclass(frozen=True)
class FeedEntry:
    """One approved comment as a feed shows it."""

    id: int
    author: str
    website: str
    body_html: str
    created: datetime
    post_slug: str
    post_title: str
    post_url: str

    @property
    def fields(self) -> tuple[object, ...]:
        """Return every value the entry's rendering reads."""
        return (self.id, self.author, self.website, self.body_html, self.created, self.post_title, self.post_url)

    @property
    def order(self) -> tuple[datetime, int]:
        """Return the key feeds sort by, newest last."""
        return (self.created, self.id)


# A reader's comment costs one light query: a statement built once and run on the driver's cursor.
_THREAD_COLUMNS = tuple(getattr(Thread, name) for name in ThreadRow.__dataclass_fields__)
_THREAD_ROW = DriverStatement(select(*_THREAD_COLUMNS).where(Thread.slug == bindparam("slug")))


def sync_posts(session: Session, posts: Iterable[PostInfo]) -> None:
    """Create or refresh the thread row of every built post."""
    posts = list(posts)
    existing = {t.slug: t for t in session.scalars(select(Thread).where(Thread.slug.in_([p.slug for p in posts])))}
    for post in posts:
        thread = existing.get(post.slug) or Thread(slug=post.slug)
        thread.title = post.title
        thread.author = post.author
        thread.url = post.url
        thread.published = post.published
        thread.closed_by_metadata = post.closed_by_metadata
        thread.language = post.language
        session.add(thread)


def get_thread(session: Session, slug: str) -> Thread | None:
    """Return the thread of a post by slug, if the post was ever built."""
    return session.scalar(select(Thread).where(Thread.slug == slug))


def get_thread_row(connection: Connection, slug: str) -> ThreadRow | None:
    """Return a post's thread as a plain row, read in one Core query, if the post was ever built."""
    rows = _THREAD_ROW.rows(connection, {"slug": slug})
    return ThreadRow(*rows[0]) if rows else None


# Plain columns, not ORM objects, run as Core, and statements built once: every bake reads a
# whole thread, and loading mapped instances through the session cost more than rendering it.
_THREAD_ROWS = select(*_THREAD_COLUMNS).where(Thread.slug.in_(bindparam("slugs", expanding=True)))
_VISIBLE = select(*(getattr(Comment, name) for name in VisibleRow.__dataclass_fields__)).where(
    Comment.thread_id.in_(bindparam("threads", expanding=True)), Comment.state.in_(VISIBLE_STATES)
)


def visible_threads(session: Session, slugs: Iterable[str]) -> list[tuple[ThreadRow, list[VisibleRow]]]:
    """Return the thread of each built post among slugs with its visible comments and linkbacks, in two queries."""
    connection = session.connection()
    threads = [ThreadRow(*row) for row in connection.execute(_THREAD_ROWS, {"slugs": list(slugs)})]
    rows: dict[int, list[VisibleRow]] = defaultdict(list)
    if threads:
        for row in connection.execute(_VISIBLE, {"threads": [t.id for t in threads]}):
            rows[row.thread_id].append(VisibleRow(*row))
    return [(thread, rows[thread.id]) for thread in threads]


_OWN = select(*(getattr(Comment, name) for name in VisibleRow.__dataclass_fields__)).where(
    Comment.thread_id == bindparam("thread"),
    Comment.id.in_(bindparam("ids", expanding=True)),
    Comment.kind == Kind.COMMENT,
    Comment.state.in_((State.PENDING, State.SPAM)),
)


def unpublished_rows(session: Session, thread_id: int, ids: Iterable[int]) -> list[VisibleRow]:
    """Return those of the given comments on a thread that wait for moderation (or were caught as spam)."""
    ids = list(ids)
    if not ids:
        return []
    return [VisibleRow(*row) for row in session.connection().execute(_OWN, {"thread": thread_id, "ids": ids})]


def latest_comments(session: Session, limit: int) -> list[FeedEntry]:
    """Return the site's latest approved comments, newest first, for its comment feed."""
    # Plain columns, not ORM objects: this runs on every bake and loads only what a feed shows.
    columns = (Comment.id, Comment.author, Comment.website, Comment.body_html, Comment.created)
    query = (
        select(*columns, Thread.slug, Thread.title, Thread.url)
        .join(Thread, Comment.thread_id == Thread.id)
        .where(Comment.state == State.APPROVED, Comment.kind == Kind.COMMENT)
        .order_by(Comment.created.desc(), Comment.id.desc())
        .limit(limit)
    )
    return [FeedEntry(*row) for row in session.execute(query)]


def set_closed(session: Session, thread: Thread, closed: bool) -> None:
    """Close or reopen a thread for new comments."""
    thread.closed = closed
