"""SQLite writers of one process queue on the write gate, not on SQLite's busy wait, and always let the next one in."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Connection, exc, text

from comments_service.store.database import database
from comments_service.store.sqlite_writes import GATE_TIMEOUT

from .helpers import INSERT_BAKE_JOB


def _impatient(connection: Connection) -> None:
    # Without the gate, a writer meeting another's transaction now fails at once ("database is locked").
    connection.exec_driver_sql("PRAGMA busy_timeout=0")


def _hold_write_then(url: str, written: threading.Event, release: threading.Event, end: str) -> None:
    with database(url).engine.connect() as connection:
        connection.execute(INSERT_BAKE_JOB, {"slug": "first"})
        written.set()
        release.wait(10)
        connection.commit() if end == "commit" else connection.rollback()


def _write_in_another_thread(url: str, slug: str) -> None:
    def write() -> None:
        with database(url).engine.connect() as other:
            _impatient(other)
            other.execute(INSERT_BAKE_JOB, {"slug": slug})
            other.commit()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(5)
    assert not writer.is_alive(), "the writer still waits at the gate"
    with database(url).engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM bake_jobs WHERE slug = :slug"), {"slug": slug}) == 1


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_a_second_writer_waits_for_the_first_to_finish(sqlite_url: str, end: str) -> None:
    written, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_then, args=(sqlite_url, written, release, end))
    holder.start()
    assert written.wait(10)
    threading.Timer(0.3, release.set).start()
    with database(sqlite_url).engine.connect() as connection:
        _impatient(connection)
        connection.execute(INSERT_BAKE_JOB, {"slug": "second"})
        # Reached only once the first transaction ended: the gate, not SQLite, made it wait.
        assert release.is_set()
        connection.commit()
    holder.join(10)
    with database(sqlite_url).engine.connect() as connection:
        slugs = set(connection.scalars(text("SELECT slug FROM bake_jobs")))
    assert slugs == ({"first", "second"} if end == "commit" else {"second"})


def test_a_failed_write_lets_the_next_writer_in(sqlite_url: str) -> None:
    with database(sqlite_url).engine.connect() as connection:
        connection.execute(INSERT_BAKE_JOB, {"slug": "taken"})
        connection.commit()
        with pytest.raises(exc.IntegrityError):
            connection.execute(INSERT_BAKE_JOB, {"slug": "taken"})
        connection.rollback()
    _write_in_another_thread(sqlite_url, "next")


def test_a_statement_that_fails_before_writing_lets_the_next_writer_in_at_once(sqlite_url: str) -> None:
    with database(sqlite_url).engine.connect() as connection:
        with pytest.raises(exc.OperationalError, match="no such table"):
            connection.execute(text("INSERT INTO no_such_table VALUES (1)"))
        # Still open, no transaction begun: another writer must not wait for this connection to end.
        _write_in_another_thread(sqlite_url, "next")


def test_an_autocommit_write_does_not_keep_the_gate(sqlite_url: str) -> None:
    with database(sqlite_url).engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(INSERT_BAKE_JOB, {"slug": "autocommitted"})
        # Nothing will commit or roll back this connection's statement: it committed itself.
        _write_in_another_thread(sqlite_url, "next")


def test_a_thread_writing_through_two_connections_is_not_held_by_its_own_gate(sqlite_url: str) -> None:
    with database(sqlite_url).engine.connect() as first, database(sqlite_url).engine.connect() as second:
        first.execute(INSERT_BAKE_JOB, {"slug": "first"})
        _impatient(second)
        began = time.monotonic()
        # SQLite answers at once, as without the gate, instead of the thread waiting for itself.
        with pytest.raises(exc.OperationalError, match="locked"):
            second.execute(INSERT_BAKE_JOB, {"slug": "second"})
        assert time.monotonic() - began < GATE_TIMEOUT / 2
        second.rollback()
        first.commit()
