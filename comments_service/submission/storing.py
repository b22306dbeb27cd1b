"""Store a reader's comment, and queue its post's bake, in a transaction committed together with other readers'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row

from ..baking.queue import enqueue
from ..db import commit_together
from ..models import State
from ..store import ThreadRow, insert_new_comment


@dataclass(frozen=True)
class NewComment:
    """What the answer and the comment_submitted receivers need of a reader's stored comment."""

    id: int
    state: State
    parent_id: int | None


def commit_comment(url: str, thread: ThreadRow, bake: bool, **fields: object) -> NewComment | None:
    """Commit a new comment on thread (with a bake of its post when bake is set); return what was stored.

    Returns None, storing nothing, when a comment with the same dedupe_key is already stored.
    """

    # Runs on whichever thread commits the group: it gets values, never the request or its session.
    def write(connection: Connection) -> Row[Any] | None:
        row = insert_new_comment(connection, thread.id, **fields)
        if bake and row is not None:
            enqueue(connection, thread.slug)
        return row

    # Not a session object: building one cost more than the rest of answering (receivers load by id).
    row = commit_together(url, write)
    return None if row is None else NewComment(row.id, row.state, row.parent_id)
