"""Statements run as driver SQL read and write the same values as through Core, on every database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import bindparam, event, insert, select, update

from comments_service.store.comments import NewCommentRecord, insert_comment, insert_new_comment
from comments_service.store.database import database
from comments_service.store.driver_sql import DriverStatement
from comments_service.store.models import BakeJob, Comment, Kind, State, Thread, utcnow
from comments_service.store.threads import get_thread_row

_JOB_COLUMNS = select(BakeJob.slug, BakeJob.version, BakeJob.requested, BakeJob.attempts, BakeJob.last_error)


def test_a_select_converts_each_value_as_core_does(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    published = datetime(2009, 5, 25, 7, 25, tzinfo=UTC)
    with database(url).engine.begin() as connection:
        connection.execute(
            insert(Thread).values(slug="oud", title="Oud", url="oud.html", published=published, closed=True)
        )
    statement = select(Thread.id, Thread.published, Thread.closed, Thread.closed_by_metadata).where(
        Thread.slug == bindparam("slug")
    )
    with database(url).engine.connect() as connection:
        through_core = [tuple(row) for row in connection.execute(statement, {"slug": "oud"})]
        through_driver = DriverStatement(statement).rows(connection, {"slug": "oud"})
    assert through_driver == through_core
    [(_id, read_published, closed, by_metadata)] = through_driver
    # Aware UTC and real booleans, not the strings and integers SQLite stores.
    assert read_published == published and read_published.tzinfo is UTC
    assert closed is True and by_metadata is False
    with database(url).engine.connect() as connection:
        assert DriverStatement(statement).rows(connection, {"slug": "geen"}) == []
        row = get_thread_row(connection, "oud")
    assert row is not None and row.published == published and row.closed is True


def test_a_write_converts_its_values_and_runs_in_the_callers_transaction(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    requested = datetime(2026, 12, 5, 15, 0, 1, 250000, tzinfo=UTC)
    write = DriverStatement(
        insert(BakeJob).values(
            slug=bindparam("slug"), version=3, requested=bindparam("requested"), attempts=0, last_error=""
        )
    )
    with database(url).engine.connect() as connection:
        write.rows(connection, {"slug": "teruggedraaid", "requested": requested})
        connection.rollback()
        write.rows(connection, {"slug": "bewaard", "requested": requested})
        connection.commit()
    with database(url).engine.connect() as connection:
        assert list(connection.execute(_JOB_COLUMNS)) == [("bewaard", 3, requested, 0, "")]


def test_an_insert_that_leaves_columns_out_stores_what_core_would(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    write = DriverStatement(insert(BakeJob).values(slug=bindparam("slug")))
    with database(url).engine.begin() as connection:
        thread_id = connection.execute(insert(Thread).values(slug="t").returning(Thread.id)).scalar_one()
        given = {"author": "Piet", "body_source": "x", "body_html": "<p>x</p>", "state": State.APPROVED}
        core_insert = insert(Comment).values(thread_id=thread_id, **given).returning(Comment.id)
        core_id = connection.execute(core_insert).scalar_one()
        # The record's defaults are the model's: the same row as Core's, through Core and through the driver.
        record = NewCommentRecord(thread_id, **given)
        record_comment = insert_comment(connection, record)
        written = utcnow()
        driver_comment = insert_new_comment(connection, record)
        connection.execute(insert(BakeJob).values(slug="core"))
        before = utcnow()
        write.rows(connection, {"slug": "driver"})
        write.rows(connection, {"slug": "later"})
    with database(url).engine.connect() as connection:
        jobs = {row.slug: row for row in connection.execute(_JOB_COLUMNS)}
        comments = {row.id: row._asdict() for row in connection.execute(select(Comment))}
    assert [(jobs[slug].version, jobs[slug].attempts) for slug in ("core", "driver", "later")] == [(1, 0)] * 3
    assert jobs["core"].last_error == jobs["driver"].last_error == ""
    # A callable default (the creation time) is called for each row, not once when compiled.
    assert before <= jobs["driver"].requested < jobs["later"].requested
    assert driver_comment is not None
    core_row, record_row, driver_row = comments[core_id], comments[record_comment.id], comments[driver_comment.id]
    # The creation time is the INSERT's, not the record's (it has none).
    assert driver_row["created"] >= written
    for row in (core_row, record_row, driver_row):
        row.pop("id"), row.pop("created")
    # Scalar defaults and NULLs alike: origin, dedupe_key and updated were left out.
    assert driver_row == record_row == core_row
    assert driver_row["origin"] is None and driver_row["updated"] is None and driver_row["kind"] == Kind.COMMENT


def test_a_statement_is_seen_by_cursor_listeners_and_gives_the_same_rows(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    with database(url).engine.begin() as connection:
        connection.execute(insert(Thread).values(slug="gezien", title="Gezien", url="gezien.html", closed=True))
    statement = DriverStatement(select(Thread.slug, Thread.closed).where(Thread.slug == bindparam("slug")))
    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731 - (conn, cursor, statement, …)
    event.listen(database(url).engine, "before_cursor_execute", listener)
    try:
        with database(url).engine.connect() as connection:
            listened = statement.rows(connection, {"slug": "gezien"})
    finally:
        event.remove(database(url).engine, "before_cursor_execute", listener)
    with database(url).engine.connect() as connection:
        unobserved = statement.rows(connection, {"slug": "gezien"})
    assert listened == unobserved == [("gezien", True)]
    assert len(seen) == 1 and "FROM threads" in seen[0]


def test_a_value_for_no_parameter_is_refused_and_nothing_runs(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    write = DriverStatement(insert(BakeJob).values(slug=bindparam("slug")))
    read = DriverStatement(select(Thread.id).where(Thread.slug == bindparam("slug")))
    with database(url).engine.connect() as connection:
        # A misspelt name was once dropped, and the column silently got its default.
        with pytest.raises(TypeError, match=r"no such parameter\(s\): atempts, slgu;"):
            write.rows(connection, {"slug": "spelfout", "atempts": 2, "slgu": "x"})
        with pytest.raises(TypeError, match=r"no such parameter\(s\): slgu;"):
            read.rows(connection, {"slug": "x", "slgu": "x"})
        # A column the INSERT fills with its default is still a parameter a caller may give.
        write.rows(connection, {"slug": "gegeven", "attempts": 2})
        connection.commit()
    with database(url).engine.connect() as connection:
        assert [(row.slug, row.attempts) for row in connection.execute(_JOB_COLUMNS)] == [("gegeven", 2)]


def test_a_literal_none_in_the_statement_is_stored_as_null(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    later = datetime(2030, 1, 1, tzinfo=UTC)
    with database(url).engine.begin() as connection:
        connection.execute(insert(BakeJob).values(slug="uitgesteld", next_attempt=later))
    # The statement's own None, not a parameter the caller must fill: once it was taken for one.
    due = DriverStatement(update(BakeJob).values(next_attempt=None).where(BakeJob.slug == bindparam("slug")))
    with database(url).engine.begin() as connection:
        due.rows(connection, {"slug": "uitgesteld"})
    with database(url).engine.connect() as connection:
        assert connection.execute(select(BakeJob.next_attempt)).scalar_one() is None


def test_a_parameter_used_twice_takes_one_value_and_still_refuses_unknown_names(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    with database(url).engine.begin() as connection:
        connection.execute(insert(BakeJob).values(slug="twee", last_error="twee"))
    read = DriverStatement(
        select(BakeJob.version).where(BakeJob.slug == bindparam("x"), BakeJob.last_error == bindparam("x"))
    )
    with database(url).engine.connect() as connection:
        assert read.rows(connection, {"x": "twee"}) == [(1,)]
        assert read.rows(connection, {"x": "een"}) == []
        with pytest.raises(TypeError, match=r"no such parameter\(s\): y;"):
            read.rows(connection, {"x": "twee", "y": "twee"})
