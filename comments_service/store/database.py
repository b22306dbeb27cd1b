"""Database engines and sessions: one engine per URL, one session per request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from threading import Lock
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from .group_commit import GroupCommit
from .sqlite_writes import GatedConnection, WriteGate

T = TypeVar("T")


def _tune_sqlite(gate: WriteGate, dbapi_connection: GatedConnection, _record: Any) -> None:
    # WAL lets readers work during a write; FULL makes every commit durable
    # before we acknowledge it; the busy timeout turns lock contention into waiting.
    # The gate queues this process's writers on a lock: SQLite's busy handler sleeps
    # in growing steps (up to 100 ms) and would leave a freed lock unused meanwhile.
    dbapi_connection.gate = gate
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_factories: dict[str, sessionmaker[Session]] = {}
# SQLite databases only: PostgreSQL commits concurrent transactions together by itself.
_groups: dict[str, GroupCommit] = {}
_lock = Lock()


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "factory": GatedConnection})
        event.listen(engine, "connect", partial(_tune_sqlite, WriteGate()))
        return engine
    return create_engine(url, pool_pre_ping=True)


def _factory(url: str) -> sessionmaker[Session]:
    factory = _factories.get(url)
    if factory is None:
        with _lock:
            factory = _factories.get(url)
            if factory is None:
                engine = _create_engine(url)
                if engine.dialect.name == "sqlite":
                    _groups[url] = GroupCommit(engine)
                factory = sessionmaker(engine, expire_on_commit=False)
                _factories[url] = factory
    return factory


def engine_for(url: str) -> Engine:
    """Return the shared engine for a database URL, creating it once."""
    engine: Engine = _factory(url).kw["bind"]
    return engine


def dispose(url: str) -> None:
    """Close every pooled connection to url and forget its engine."""
    with _lock:
        factory = _factories.pop(url, None)
        _groups.pop(url, None)
    if factory is not None:
        factory.kw["bind"].dispose()


def commit_together(url: str, work: Callable[[Connection], T]) -> T:
    """Run work(connection) in a transaction and commit it; on SQLite, together with other threads' writes."""
    engine = engine_for(url)
    group = _groups.get(url)
    if group is None:
        with engine.begin() as connection:
            return work(connection)
    return group.run(work)


def new_session(url: str) -> Session:
    """Open a session on the database at url."""
    return _factory(url)()


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on any error."""
    session = new_session(url)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def db() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = new_session(current_app.config["DATABASE_URL"])
    session: Session = g.db_session
    return session


# Core reads want no session: opening and closing one cost more than a reader's query.
def db_connection() -> Connection:
    """Return this request's connection for Core reads, opening it on first use."""
    if "db_connection" not in g:
        g.db_connection = engine_for(current_app.config["DATABASE_URL"]).connect()
    connection: Connection = g.db_connection
    return connection


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
    connection = g.pop("db_connection", None)
    if connection is not None:
        connection.close()


def init_app(app: Flask) -> None:
    """Close each request's session and connection when the request ends."""
    app.teardown_appcontext(_close_session)
