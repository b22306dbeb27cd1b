"""Named queries and writes on comments: a reader's new comment, a moderator's, and state changes."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from .driver_sql import DriverStatement
from .models import Comment, Kind, State


@dataclass(frozen=True, slots=True)
class NewCommentRecord:
    """A new comment as its INSERT writes it: one typed value per column, defaulting as the model does."""

    # Where it goes
    thread_id: int
    parent_id: int | None = None
    # Who wrote it
    author: str = ""
    email: str = ""
    website: str = ""
    by_post_author: bool = False
    notify_replies: bool = False
    # What it is: a reader's comment, or a linkback and the page it came from
    kind: Kind = Kind.COMMENT
    source_url: str = ""
    title: str = ""
    blog_name: str = ""
    # What it says, and where an imported one came from
    origin: str | None = None
    body_source: str = ""
    body_format: str = "markdown"
    body_html: str = ""
    # How it was judged, and how it arrived
    state: State = State.PENDING
    verdict_reason: str = ""
    trained_as: str = ""
    ip: str = ""
    user_agent: str = ""
    dedupe_key: str | None = None


# The columns the store fills in, not the caller: the id, the time of the INSERT (the model's
# default, taken when the row is written) and the time of an edit, which a new comment has not had.
FILLED_BY_STORE = frozenset({"id", "created", "updated"})


def check_record_type(record_type: type, table: Table[Any], filled_by_store: frozenset[str]) -> tuple[str, ...]:
    """Return the record type's field names; raise TypeError unless they and their defaults are the table's."""
    columns = {column.key: column for column in table.c}
    names = tuple(field.name for field in fields(record_type))
    unknown = sorted(set(names) - columns.keys())
    missing = sorted(columns.keys() - set(names) - filled_by_store)
    if unknown or missing:
        raise TypeError(
            f"{record_type.__name__} does not match table {table.name}: "
            f"not columns: {', '.join(unknown) or '-'}; columns without a field: {', '.join(missing) or '-'}"
        )
    for field in fields(record_type):
        column, default = columns[field.name], columns[field.name].default
        if default is None:
            expected = None if column.nullable else MISSING
        elif default.is_scalar:
            expected = default.arg
        else:
            raise TypeError(f"{record_type.__name__}.{field.name}: the column's default is computed; the store sets it")
        if field.default != expected:
            raise TypeError(
                f"{record_type.__name__}.{field.name} defaults to {field.default!r}, "
                f"column {table.name}.{field.name} to {expected!r}"
            )
    return names


# Checked when the store is imported, so a field that is no column (or a column left out) fails at once.
_FIELDS = check_record_type(NewCommentRecord, Comment.metadata.tables[Comment.__tablename__], FILLED_BY_STORE)
_FIELD_VALUES = attrgetter(*_FIELDS)


def _values(record: NewCommentRecord) -> dict[str, Any]:
    return dict(zip(_FIELDS, _FIELD_VALUES(record), strict=True))


# A reader's comment costs one INSERT … RETURNING, statements built
# once and run on the driver's cursor, not the ORM's loading and unit-of-work machinery.
_INSERT_COMMENT = insert(Comment).returning(*Comment.__table__.c)


class NewComment(NamedTuple):
    """What the answer and the comment_submitted receivers need of a reader's stored comment."""

    id: int
    state: State
    parent_id: int | None


def _new_comment_insert(insert_: Any) -> DriverStatement:
    # Every field of the record is a parameter (the creation time is filled in as the row is
    # written). A copy of a stored comment (same dedupe_key) inserts nothing and returns no row,
    # rather than failing the transaction, which a group commit would roll back and retry write by
    # write. It returns only what the answer needs (receivers load more by id).
    columns: dict[str, Any] = {name: bindparam(name) for name in _FIELDS}
    statement = insert_.insert(Comment).values(columns).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return DriverStatement(statement.returning(Comment.id, Comment.state, Comment.parent_id))


_INSERT_NEW_COMMENT = {
    name: _new_comment_insert(insert_) for name, insert_ in (("postgresql", postgresql), ("sqlite", sqlite))
}


def get_comment(session: Session, comment_id: int) -> Comment | None:
    """Return one comment by id."""
    return session.get(Comment, comment_id)


def insert_comment(connection: Connection, record: NewCommentRecord) -> Row[Any]:
    """Insert a new comment in the connection's transaction; return the stored row."""
    return connection.execute(_INSERT_COMMENT, _values(record)).one()


def insert_new_comment(connection: Connection, record: NewCommentRecord) -> NewComment | None:
    """Insert a comment unless one with its dedupe_key is stored (then return None); return id, state, parent_id."""
    rows = _INSERT_NEW_COMMENT[connection.dialect.name].rows(connection, _values(record))
    return NewComment(*rows[0]) if rows else None


def loaded_comment(session: Session, row: Row[Any]) -> Comment:
    """Return a stored comment's row as the session object a query would have loaded."""
    comment = Comment(**row._mapping)
    make_transient_to_detached(comment)
    session.add(comment)
    return comment


def add_comment(session: Session, record: NewCommentRecord) -> Comment:
    """Insert a new comment and return it as a session object, as if loaded; the caller commits."""
    # The session's pending changes are written first, as the ORM's own flush would order them.
    session.flush()
    return loaded_comment(session, insert_comment(session.connection(), record))


def set_state(session: Session, comment: Comment, state: State) -> None:
    """Move a comment to a moderation state."""
    comment.state = state


def has_replies(session: Session, comment_id: int) -> bool:
    """Tell whether any comment (in whatever state) answers this one."""
    return session.scalar(select(Comment.id).where(Comment.parent_id == comment_id).limit(1)) is not None


def purge_comment(session: Session, comment: Comment) -> None:
    """Delete a comment for good; its replies move up to the comment it answered (or the top)."""
    session.execute(update(Comment).where(Comment.parent_id == comment.id).values(parent_id=comment.parent_id))
    session.delete(comment)
