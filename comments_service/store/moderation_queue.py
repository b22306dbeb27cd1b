"""Named queries behind the moderation pages: the queue (keyset-paginated), its counts and the threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from .models import Comment, State, Thread

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
    # Set when a text search stopped at its window short of a full page: the last id it read.
    searched_to: int | None = None


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """Shorten text to one line of at most length characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def _scope(session: Session, flt: QueueFilter) -> list[ColumnElement[bool]] | None:
    """Return the WHERE terms for the post and author limits, or None when they match nothing."""
    terms: list[ColumnElement[bool]] = []
    if flt.slug:
        thread_id = session.scalar(select(Thread.id).where(Thread.slug == flt.slug))
        if thread_id is None:
            return None
        terms.append(Comment.thread_id == thread_id)
    if flt.own_posts_of is not None:
        terms.append(Comment.thread_id.in_(select(Thread.id).where(Thread.author == flt.own_posts_of)))
    return terms


def _text_match(session: Session, text: str) -> ColumnElement[bool]:
    """Match text anywhere in the author, email or body, ignoring case."""
    columns = (Comment.author, Comment.email, Comment.body_source)
    if session.get_bind().dialect.name == "sqlite":
        # SQLite's LIKE already ignores (ASCII) case, exactly as its lower() folds it,
        # so skipping lower() on every row gives the same matches at half the cost.
        return or_(*(c.contains(text, autoescape=True) for c in columns))
    return or_(*(c.icontains(text, autoescape=True) for c in columns))


def queue_page(session: Session, flt: QueueFilter, limit: int, search_window: int) -> QueuePage:
    """Return one page of the queue, paginated by id (keyset), so deep pages cost what the first does.

    A text match cannot use an index, so a text search reads at most search_window comments
    per page; when they hold less than a page of matches, the next page searches on from there.
    """
    scope = _scope(session, flt)
    if scope is None:
        return QueuePage()
    backwards = flt.before is not None
    # Walking back from a cursor reads in the opposite order, then flips the page.
    ascending = flt.oldest_first != backwards
    cursor = flt.before if backwards else flt.after
    order = Comment.id.asc() if ascending else Comment.id.desc()
    terms = [Comment.state == flt.state, *scope]
    if cursor is not None:
        terms.append(Comment.id > cursor if ascending else Comment.id < cursor)
    window_end = None
    if flt.text:
        edge = session.scalars(select(Comment.id).where(*terms).order_by(order).offset(search_window - 1).limit(2))
        ends = list(edge)
        # Only a window that stops short of the last comment needs bounding.
        window_end = ends[0] if len(ends) == 2 else None
        if window_end is not None:
            terms.append(Comment.id <= window_end if ascending else Comment.id >= window_end)
        terms.append(_text_match(session, flt.text))
    query = select(Comment).where(*terms).order_by(order).limit(limit + 1).options(selectinload(Comment.thread))
    comments = list(session.scalars(query))
    page = QueuePage()
    onward: int | None
    if len(comments) > limit:
        comments = comments[:limit]
        onward = comments[-1].id
    else:
        onward = window_end
        page.searched_to = window_end
    if backwards:
        comments.reverse()
        page.previous_cursor = onward
        page.next_cursor = comments[-1].id if comments else None
    else:
        page.previous_cursor = comments[0].id if cursor is not None and comments else None
        page.next_cursor = onward
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
    # Grouped by state too rather than filtered on it: the only usable index is then
    # (author, email, state), read on its own, where a state filter can tempt a planner
    # without statistics into walking every comment in that state.
    if not comments:
        return {}
    query = (
        select(Comment.author, Comment.email, Comment.state, func.count())
        .where(Comment.author.in_({c.author for c in comments}))
        .group_by(Comment.author, Comment.email, Comment.state)
    )
    return {(author, email): n for author, email, state, n in session.execute(query) if state == State.APPROVED}


def state_counts(session: Session, slug: str = "", own_posts_of: str | None = None) -> dict[State, int]:
    """Count comments in each state, within one post and/or one author's posts."""
    terms = _scope(session, QueueFilter(slug=slug, own_posts_of=own_posts_of))
    counts = {state: 0 for state in State}
    if terms is None:
        return counts
    # Limited to some threads, grouping by thread too keeps the count on the
    # (thread_id, state) index instead of a walk through every comment.
    groups = (Comment.thread_id, Comment.state) if terms else (Comment.state,)
    query = select(Comment.state, func.count()).where(*terms).group_by(*groups)
    for state, n in session.execute(query):
        counts[state] += n
    return counts


def threads_for(session: Session, own_posts_of: str | None = None) -> list[tuple[str, str]]:
    """Return (slug, title) of the threads an account may moderate, newest post first."""
    query: Any = select(Thread.slug, Thread.title).order_by(Thread.published.desc(), Thread.slug)
    if own_posts_of is not None:
        query = query.where(Thread.author == own_posts_of)
    return [(slug, title) for slug, title in session.execute(query)]


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


def in_state(session: Session, state: State, own_posts_of: str | None = None) -> list[Comment]:
    """Return every comment in one state (the spam folder, the trash), within one author's posts if given."""
    terms = _scope(session, QueueFilter(own_posts_of=own_posts_of)) or []
    return list(session.scalars(select(Comment).where(Comment.state == state, *terms).order_by(Comment.id)))
