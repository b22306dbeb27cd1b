"""Named queries behind the moderation pages: the queue (keyset-paginated), counts and threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, tuple_
from sqlalchemy.orm import Session, selectinload

from ..models import Comment, State, Thread

EXCERPT_LENGTH = 140


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: a state, optionally one post and a text match, from a cursor on."""

    state: State = State.PENDING
    slug: str = ""
    text: str = ""
    # The post author an `author` account is limited to; None for every thread.
    own_posts_of: str | None = None
    after: int | None = None
    before: int | None = None

    @property
    def oldest_first(self) -> bool:
        """Pending comments are worked through oldest first; the other states show the newest first."""
        return self.state == State.PENDING


@dataclass(frozen=True)
class ParentSummary:
    """The comment a queued one replies to, as a line of context."""

    id: int
    author: str
    excerpt: str
    state: State


@dataclass(frozen=True)
class QueueRow:
    """One comment in the queue with what a moderator needs to judge it."""

    comment: Comment
    parent: ParentSummary | None
    approved_before: int


@dataclass
class QueuePage:
    """A page of the queue and the cursors to the pages around it."""

    rows: list[QueueRow] = field(default_factory=list)
    # Pass as `before=` for the previous page and `after=` for the next; None when there is none.
    previous_cursor: int | None = None
    next_cursor: int | None = None


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """Shorten text to one line of at most length characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def _scope(session: Session, flt: QueueFilter) -> list[ColumnElement[bool]] | None:
    """Return the WHERE terms of a filter, or None when it can match nothing."""
    terms: list[ColumnElement[bool]] = []
    if flt.slug:
        thread_id = session.scalar(select(Thread.id).where(Thread.slug == flt.slug))
        if thread_id is None:
            return None
        terms.append(Comment.thread_id == thread_id)
    if flt.own_posts_of is not None:
        terms.append(Comment.thread_id.in_(select(Thread.id).where(Thread.author == flt.own_posts_of)))
    if flt.text:
        terms.append(
            or_(
                Comment.author.icontains(flt.text, autoescape=True),
                Comment.email.icontains(flt.text, autoescape=True),
                Comment.body_source.icontains(flt.text, autoescape=True),
            )
        )
    return terms


def queue_page(session: Session, flt: QueueFilter, limit: int) -> QueuePage:
    """Return one page of the queue, paginated by id (keyset), so deep pages cost what the first does."""
    terms = _scope(session, flt)
    if terms is None:
        return QueuePage()
    backwards = flt.before is not None
    # Walking back from a cursor reads in the opposite order, then flips the page.
    ascending = flt.oldest_first != backwards
    query = select(Comment).where(Comment.state == flt.state, *terms).options(selectinload(Comment.thread))
    if backwards:
        query = query.where(Comment.id < flt.before if flt.oldest_first else Comment.id > flt.before)
    elif flt.after is not None:
        query = query.where(Comment.id > flt.after if flt.oldest_first else Comment.id < flt.after)
    query = query.order_by(Comment.id.asc() if ascending else Comment.id.desc()).limit(limit + 1)
    comments = list(session.scalars(query))
    more = len(comments) > limit
    comments = comments[:limit]
    page = QueuePage()
    if backwards:
        comments.reverse()
        page.previous_cursor = comments[0].id if more and comments else None
        page.next_cursor = comments[-1].id if comments else None
    else:
        page.previous_cursor = comments[0].id if flt.after is not None and comments else None
        page.next_cursor = comments[-1].id if more else None
    parents = _parents(session, {c.parent_id for c in comments if c.parent_id is not None})
    approved = _approved_counts(session, comments)
    for comment in comments:
        earlier = approved.get((comment.author, comment.email), 0) - (comment.state == State.APPROVED)
        parent = parents.get(comment.parent_id) if comment.parent_id is not None else None
        page.rows.append(QueueRow(comment, parent, earlier))
    return page


def _parents(session: Session, ids: set[int]) -> dict[int, ParentSummary]:
    if not ids:
        return {}
    query = select(Comment.id, Comment.author, Comment.body_source, Comment.state).where(Comment.id.in_(ids))
    return {i: ParentSummary(i, author, excerpt(body), state) for i, author, body, state in session.execute(query)}


def _approved_counts(session: Session, comments: list[Comment]) -> dict[tuple[str, str], int]:
    """Count approved comments per (author, email) among those on the page, in one query."""
    pairs = {(c.author, c.email) for c in comments}
    if not pairs:
        return {}
    query = (
        select(Comment.author, Comment.email, func.count())
        .where(Comment.state == State.APPROVED, tuple_(Comment.author, Comment.email).in_(pairs))
        .group_by(Comment.author, Comment.email)
    )
    return {(author, email): n for author, email, n in session.execute(query)}


def state_counts(session: Session, slug: str = "", own_posts_of: str | None = None) -> dict[State, int]:
    """Count comments in each state, within one post and/or one author's posts."""
    terms = _scope(session, QueueFilter(slug=slug, own_posts_of=own_posts_of))
    counts = {state: 0 for state in State}
    if terms is not None:
        query = select(Comment.state, func.count()).where(*terms).group_by(Comment.state)
        counts.update({state: n for state, n in session.execute(query)})
    return counts


def threads_for(session: Session, own_posts_of: str | None = None) -> list[Thread]:
    """Return the threads an account may moderate, newest post first."""
    query: Any = select(Thread).order_by(Thread.published.desc(), Thread.slug)
    if own_posts_of is not None:
        query = query.where(Thread.author == own_posts_of)
    return list(session.scalars(query))


def thread_comments(session: Session, thread: Thread) -> list[Comment]:
    """Return every entry on a thread in every state, oldest first."""
    query = select(Comment).where(Comment.thread_id == thread.id).order_by(Comment.created, Comment.id)
    return list(session.scalars(query))


def comments_by_ids(session: Session, ids: list[int]) -> list[Comment]:
    """Return the comments with these ids (missing ones are left out)."""
    if not ids:
        return []
    query = select(Comment).where(Comment.id.in_(ids)).options(selectinload(Comment.thread)).order_by(Comment.id)
    return list(session.scalars(query))
