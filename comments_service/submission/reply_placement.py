"""Where a reply attaches: its parent, or the deepest ancestor the depth limit allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select

from ..store.models import Comment, State


@dataclass(frozen=True)
class Ancestor:
    """A comment's place in its thread: what deciding where a reply goes needs of it."""

    id: int
    parent_id: int | None
    thread_id: int
    state: State


def _ancestors_query() -> Select[Any]:
    # One recursive query from a comment up to its top-level ancestor. UNION, not UNION ALL:
    # a damaged chain that loops back on itself ends instead of repeating forever.
    columns = (Comment.id, Comment.parent_id, Comment.thread_id, Comment.state)
    chain = select(*columns).where(Comment.id == bindparam("comment_id")).cte("chain", recursive=True)
    parents = select(*columns).join(chain, Comment.id == chain.c.parent_id)
    chain = chain.union(parents)
    return select(chain.c.id, chain.c.parent_id, chain.c.thread_id, chain.c.state).select_from(chain)


# Built once, run as Core: every reader's reply asks it, and a session cost more than the query.
_ANCESTORS = _ancestors_query()


def ancestry(connection: Connection, comment_id: int) -> list[Ancestor]:
    """Return the chain from the top-level comment down to comment_id; [] if there is no such comment."""
    links = {row.id: Ancestor(*row) for row in connection.execute(_ANCESTORS, {"comment_id": comment_id})}
    chain: list[Ancestor] = []
    link = links.get(comment_id)
    while link is not None and link not in chain:
        chain.append(link)
        link = links.get(link.parent_id) if link.parent_id is not None else None
    return list(reversed(chain))


def replyable(chain: list[Ancestor], thread_id: int) -> bool:
    """Tell whether the last comment of chain takes replies on this thread: it is there and published."""
    return bool(chain) and chain[-1].thread_id == thread_id and chain[-1].state == State.APPROVED


def attach_point(chain: list[Ancestor], max_depth: int) -> int | None:
    """Return the id of the comment a reply to the last of chain hangs under; None means the top level."""
    # A reply sits one level below its parent; past the limit it joins the
    # deepest level allowed, as a sibling instead of a child.
    index = min(len(chain), max_depth - 1) - 1
    return chain[index].id if index >= 0 else None
