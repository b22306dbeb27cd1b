"""Named queries and writes on the comment store; views never touch SQL directly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from .driver_sql import DriverStatement
from .models import Comment, Kind, State, Thread
from .rendering.feeds import FeedEntry, PostFeed, build_feed
from .rendering.thread_view import ThreadView, VisibleRow, build_view, empty_view

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

    # The same rule as the mapped thread's, read from the same two columns.
    closed_explicitly = Thread.closed_explicitly


# A reader's comment costs one light query and one INSERT … RETURNING, statements built
# once and run on the driver's cursor, not the ORM's loading and unit-of-work machinery.
_THREAD_COLUMNS = tuple(getattr(Thread, name) for name in ThreadRow.__dataclass_fields__)
_THREAD_ROW = DriverStatement(select(*_THREAD_COLUMNS).where(Thread.slug == bindparam("slug")))
_INSERT_COMMENT = insert(Comment).returning(*Comment.__table__.c)


class NewComment(NamedTuple):
    """What the answer and the comment_submitted receivers need of a reader's stored comment."""

    id: int
    state: State
    parent_id: int | None


def _new_comment_insert(insert_: Any) -> DriverStatement:
    # Every column but the id is a parameter (one a caller leaves out gets its default). A copy
    # of a stored comment (same dedupe_key) inserts nothing and returns no row, rather than failing
    # the transaction, which a group commit would roll back and retry write by write. It returns
    # only what the answer needs (receivers load more by id).
    columns: dict[str, Any] = {
        column.key: bindparam(column.key) for column in Comment.__table__.c if column.key != "id"
    }
    statement = insert_.insert(Comment).values(columns).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return DriverStatement(statement.returning(Comment.id, Comment.state, Comment.parent_id))


_INSERT_NEW_COMMENT = {
    name: _new_comment_insert(insert_) for name, insert_ in (("postgresql", postgresql), ("sqlite", sqlite))
}


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
        session.add(thread)


def get_thread(session: Session, slug: str) -> Thread | None:
    """Return the thread of a post by slug, if the post was ever built."""
    return session.scalar(select(Thread).where(Thread.slug == slug))


def get_thread_row(connection: Connection, slug: str) -> ThreadRow | None:
    """Return a post's thread as a plain row, read in one Core query, if the post was ever built."""
    rows = _THREAD_ROW.rows(connection, {"slug": slug})
    return ThreadRow(*rows[0]) if rows else None


def get_comment(session: Session, comment_id: int) -> Comment | None:
    """Return one comment by id."""
    return session.get(Comment, comment_id)


def thread_view(session: Session, slug: str) -> ThreadView:
    """Return the render-ready view of one post's thread."""
    return views_and_feeds(session, [slug])[0][slug]


# Plain columns, not ORM objects, run as Core, and statements built once: every bake reads a
# whole thread, and loading mapped instances through the session cost more than rendering it.
_THREAD_ROWS = select(*_THREAD_COLUMNS).where(Thread.slug.in_(bindparam("slugs", expanding=True)))
_VISIBLE = select(*(getattr(Comment, name) for name in VisibleRow.__dataclass_fields__)).where(
    Comment.thread_id.in_(bindparam("threads", expanding=True)), Comment.state.in_(VISIBLE_STATES)
)


def _visible_rows(session: Session, slugs: list[str]) -> tuple[list[ThreadRow], dict[int, list[VisibleRow]]]:
    connection = session.connection()
    threads = [ThreadRow(*row) for row in connection.execute(_THREAD_ROWS, {"slugs": slugs})]
    rows: dict[int, list[VisibleRow]] = defaultdict(list)
    if threads:
        for row in connection.execute(_VISIBLE, {"threads": [t.id for t in threads]}):
            rows[row.thread_id].append(VisibleRow(*row))
    return threads, rows


def views_and_feeds(session: Session, slugs: Iterable[str]) -> tuple[dict[str, ThreadView], dict[str, PostFeed]]:
    """Return, from the same two queries, each post's thread view and, for posts with a thread, its feed."""
    slugs = list(slugs)
    threads, rows = _visible_rows(session, slugs)
    views = {slug: empty_view(slug) for slug in slugs}
    feeds = {}
    for thread in threads:
        views[thread.slug] = build_view(thread, rows[thread.id])
        feeds[thread.slug] = build_feed(thread, rows[thread.id])
    return views, feeds


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


def insert_comment(connection: Connection, thread_id: int, **fields: object) -> Row[Any]:
    """Insert a new comment on a thread in the connection's transaction; return the stored row."""
    return connection.execute(_INSERT_COMMENT, {"thread_id": thread_id, **fields}).one()


def insert_new_comment(connection: Connection, thread_id: int, **fields: object) -> NewComment | None:
    """Insert a comment unless one with its dedupe_key is stored (then return None); return id, state, parent_id."""
    rows = _INSERT_NEW_COMMENT[connection.dialect.name].rows(connection, {"thread_id": thread_id, **fields})
    return NewComment(*rows[0]) if rows else None


def loaded_comment(session: Session, row: Row[Any]) -> Comment:
    """Return a stored comment's row as the session object a query would have loaded."""
    comment = Comment(**row._mapping)
    make_transient_to_detached(comment)
    session.add(comment)
    return comment


def add_comment(session: Session, thread_id: int, **fields: object) -> Comment:
    """Insert a new comment on a thread and return it as a session object, as if loaded; the caller commits."""
    # The session's pending changes are written first, as the ORM's own flush would order them.
    session.flush()
    return loaded_comment(session, insert_comment(session.connection(), thread_id, **fields))


def set_state(session: Session, comment: Comment, state: State) -> None:
    """Move a comment to a moderation state."""
    comment.state = state


def set_closed(session: Session, thread: Thread, closed: bool) -> None:
    """Close or reopen a thread for new comments."""
    thread.closed = closed
