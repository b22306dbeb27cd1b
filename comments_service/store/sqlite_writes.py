"""One write transaction at a time per SQLite database in this process, queued on a lock, not on SQLite's busy wait."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, Self, TypeVar, overload

log = logging.getLogger(__name__)
_CursorT = TypeVar("_CursorT", bound=sqlite3.Cursor)

# As long as SQLite's own busy timeout: a wait this long means a writer is stuck, and the
# transaction goes on to SQLite's locking, exactly as it would without the gate.
GATE_TIMEOUT = 30.0
# The statements before which the sqlite3 module opens a transaction of its own (Python 3.11).
_OPENS_TRANSACTION = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteGate:
    """Lets one thread of this process at a time hold a database's write transaction."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None

    def enter(self) -> bool:
        """Wait for the gate and return True, or return False to go on without it."""
        me = threading.get_ident()
        # A thread writing through a second connection while its first holds the gate
        # would wait for itself; SQLite's busy timeout decides that case, as before.
        if self._holder == me:
            return False
        if not self._lock.acquire(timeout=GATE_TIMEOUT):
            log.warning("kiln: waited %.0f s for this process's SQLite writer; going on without the gate", GATE_TIMEOUT)
            return False
        self._holder = me
        return True

    def leave(self) -> None:
        """Let the next writer in."""
        self._holder = None
        self._lock.release()


class GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that passes its gate before a write transaction and opens it after."""

    # Given by the engine's connect listener; shared by every connection to one database.
    gate: WriteGate | None = None
    _holds_gate = False

    @overload
    def cursor(self, factory: None = None) -> sqlite3.Cursor: ...
    @overload
    def cursor(self, factory: Callable[[sqlite3.Connection], _CursorT]) -> _CursorT: ...

    def cursor(self, factory: Callable[[sqlite3.Connection], sqlite3.Cursor] | None = None) -> sqlite3.Cursor:
        """Return a cursor that waits at the gate before a statement that starts a write transaction."""
        return super().cursor(factory or _GatedCursor)

    def before_statement(self, sql: str) -> None:
        """Pass the gate if sql is about to open a write transaction."""
        # isolation_level None (SQLAlchemy's AUTOCOMMIT) opens no transaction: nothing to hold the gate through.
        if self.gate is None or self.isolation_level is None or self.in_transaction or self._holds_gate:
            return
        if sql.lstrip()[:7].upper().startswith(_OPENS_TRANSACTION):
            self._holds_gate = self.gate.enter()

    def after_failure(self) -> None:
        """Let the next writer in if a statement failed before its transaction began."""
        if not self.in_transaction:
            self._open_gate()

    def commit(self) -> None:
        """Commit, then let the next writer in."""
        self._then_open_gate(super().commit)

    def rollback(self) -> None:
        """Roll back, then let the next writer in."""
        self._then_open_gate(super().rollback)

    def close(self) -> None:
        """Close (which ends any transaction), then let the next writer in."""
        self._then_open_gate(super().close)

    def _then_open_gate(self, end: Callable[[], None]) -> None:
        try:
            end()
        finally:
            self._open_gate()

    def _open_gate(self) -> None:
        if self._holds_gate and self.gate is not None:
            self._holds_gate = False
            self.gate.leave()


class _GatedCursor(sqlite3.Cursor):
    connection: GatedConnection

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        return self._gated(super().execute, sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Self:
        return self._gated(super().executemany, sql, seq_of_parameters)

    def _gated(self, run: Callable[[str, Any], Self], sql: str, arguments: Any) -> Self:
        self.connection.before_statement(sql)
        try:
            return run(sql, arguments)
        except BaseException:
            self.connection.after_failure()
            raise
