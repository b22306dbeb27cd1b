"""A comment's chain of ancestors, read in one recursive query: what placing a reply needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select

from .models import Comment, State


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
