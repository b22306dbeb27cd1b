"""The store's one entry point: database(url), an engine with its sessions, connections and group commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from threading import Lock
from typing import Any, TypeVar

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


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "factory": GatedConnection})
        event.listen(engine, "connect", partial(_tune_sqlite, WriteGate()))
        return engine
    return create_engine(url, pool_pre_ping=True)


@dataclass(eq=False)
class Database:
    """One database of this process: its engine, sessions, connections and writes committed together."""

    url: str
    engine: Engine
    _sessions: sessionmaker[Session] = field(init=False, repr=False)
    # SQLite databases only: PostgreSQL commits concurrent transactions together by itself.
    _group: GroupCommit | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._group = GroupCommit(self.engine) if self.engine.dialect.name == "sqlite" else None

    def session(self) -> Session:
        """Open a session; the caller closes it."""
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session that commits on success and rolls back on any error."""
        session = self.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def connect(self) -> Connection:
        """Open a connection for Core reads; the caller closes it."""
        return self.engine.connect()

    def commit_together(self, work: Callable[[Connection], T]) -> T:
        """Run work(connection) in a transaction and commit it; on SQLite, together with other threads' writes."""
        if self._group is None:
            with self.engine.begin() as connection:
                return work(connection)
        return self._group.run(work)

    def dispose(self) -> None:
        """Close every pooled connection and forget this database, so the next use starts afresh."""
        with _lock:
            if _databases.get(self.url) is self:
                del _databases[self.url]
        self.engine.dispose()


_databases: dict[str, Database] = {}
_lock = Lock()


def database(url: str) -> Database:
    """Return this process's Database for url, creating its engine on first use."""
    found = _databases.get(url)
    if found is None:
        with _lock:
            found = _databases.get(url)
            if found is None:
                found = _databases[url] = Database(url, _create_engine(url))
    return found
