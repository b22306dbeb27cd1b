"""Store a reader's comment, and queue its post's bake, in a transaction committed together with other readers'."""

from __future__ import annotations

from sqlalchemy import Connection

from ..store.bake_jobs import enqueue
from ..store.comments import NewComment, NewCommentRecord, insert_new_comment
from ..store.database import database
from ..store.threads import ThreadRow


def commit_comment(url: str, thread: ThreadRow, record: NewCommentRecord, bake: bool) -> NewComment | None:
    """Commit a new comment on thread (with a bake of its post when bake is set); return what was stored.

    Returns None, storing nothing, when a comment with the same dedupe_key is already stored.
    """

    # Runs on whichever thread commits the group: it gets values, never the request or its session.
    def write(connection: Connection) -> NewComment | None:
        comment = insert_new_comment(connection, record)
        if bake and comment is not None:
            enqueue(connection, thread.slug)
        return comment

    # Not a session object: building one cost more than the rest of answering (receivers load by id).
    return database(url).commit_together(write)
