"""Named queries and writes on comments: a reader's new comment, a moderator's, and state changes."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from .driver_sql import DriverStatement
from .models import Comment, State

# A reader's comment costs one INSERT … RETURNING, statements built
# once and run on the driver's cursor, not the ORM's loading and unit-of-work machinery.
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


def get_comment(session: Session, comment_id: int) -> Comment | None:
    """Return one comment by id."""
    return session.get(Comment, comment_id)


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
