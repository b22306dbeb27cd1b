"""A new comment travels as one typed record to its INSERT: a name that is no column fails, it is never dropped."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, make_dataclass

import pytest
from sqlalchemy import insert, select

from comments_service.store.comments import (
    FILLED_BY_STORE,
    NewCommentRecord,
    check_record_type,
    insert_comment,
    insert_new_comment,
)
from comments_service.store.database import database
from comments_service.store.models import Comment, Thread

COMMENTS = Comment.metadata.tables["comments"]


def test_a_misspelt_column_is_refused_by_the_record() -> None:
    # Once this stored a comment with an empty body_source and raised nothing; now the record,
    # the only way in, refuses the name (and the driver statement would too: test_driver_sql.py).
    with pytest.raises(TypeError, match="body_sourse"):
        NewCommentRecord(1, body_sourse="x")  # type: ignore[call-arg]


def _text_values(prefix: str) -> dict[str, str]:
    # Every text field a value unlike its default and short enough for the narrowest column.
    return {f.name: f"{prefix}{n}" for n, f in enumerate(fields(NewCommentRecord)) if f.type in ("str", "str | None")}


def test_every_field_reaches_its_column_through_core_and_through_the_driver(database_url: str) -> None:
    core_values, driver_values = _text_values("c"), _text_values("d")
    with database(database_url).engine.begin() as connection:
        thread_id = connection.execute(insert(Thread).values(slug="t").returning(Thread.id)).scalar_one()
        through_core = insert_comment(connection, NewCommentRecord(thread_id, by_post_author=True, **core_values))
        driver_record = NewCommentRecord(thread_id, parent_id=through_core.id, notify_replies=True, **driver_values)
        through_driver = insert_new_comment(connection, driver_record)
        assert through_driver is not None
        rows = {row.id: row for row in connection.execute(select(Comment))}
    core_row, driver_row = rows[through_core.id], rows[through_driver.id]
    assert {name: getattr(core_row, name) for name in core_values} == core_values
    assert {name: getattr(driver_row, name) for name in driver_values} == driver_values
    assert (core_row.by_post_author, core_row.notify_replies, core_row.parent_id) == (True, False, None)
    assert (driver_row.by_post_author, driver_row.notify_replies, driver_row.parent_id) == (False, True, core_row.id)


@dataclass(frozen=True)
class _Misspelt(NewCommentRecord):
    body_sourse: str = ""


@dataclass(frozen=True)
class _OtherDefault(NewCommentRecord):
    body_format: str = "html"


_WithoutAColumn = make_dataclass(
    "_WithoutAColumn",
    [(f.name, f.type, field(default=f.default)) for f in fields(NewCommentRecord) if f.name != "trained_as"],
    frozen=True,
)


@pytest.mark.parametrize(
    ("record_type", "message"),
    [
        (_Misspelt, "not columns: body_sourse; columns without a field: -"),
        (_WithoutAColumn, "not columns: -; columns without a field: trained_as"),
        (_OtherDefault, "body_format defaults to 'html', column comments.body_format to 'markdown'"),
    ],
    ids=["misspelt field", "missing column", "other default"],
)
def test_a_record_type_unlike_the_table_is_refused(record_type: type, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        check_record_type(record_type, COMMENTS, FILLED_BY_STORE)
