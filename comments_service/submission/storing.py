"""Store a reader's comment, and queue its post's bake, in a transaction committed together with other readers'."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row
from sqlalchemy.orm import Session

from ..baking.queue import enqueue
from ..baking.requests import bake_committed
from ..db import commit_together
from ..models import Comment
from ..store import ThreadRow, insert_comment, loaded_comment


def commit_comment(session: Session, url: str, thread: ThreadRow, bake: bool, **fields: object) -> Comment:
    """Commit a new comment on thread (with a bake of its post when bake is set); return it as a session object."""

    # Runs on whichever thread commits the group: it gets values, never the request or its session.
    def write(connection: Connection) -> Row[Any]:
        row = insert_comment(connection, thread.id, **fields)
        if bake:
            enqueue(connection, thread.slug)
        return row

    comment = loaded_comment(session, commit_together(url, write))
    if bake:
        bake_committed(session, thread.slug)
    return comment
