"""Core statements compiled once per database and run on the driver's cursor, with SQLAlchemy's own type conversions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, UpdateBase

Convert = Callable[[Any], Any] | None
# SQLAlchemy logs each statement here at INFO (echo=True sets that level).
_ENGINE_LOG = logging.getLogger("sqlalchemy.engine.Engine")


@dataclass(frozen=True)
class _Form:
    """One statement as one database takes it: its SQL, its parameters in order, the conversions both ways."""

    sql: str
    # Each parameter once, in the order the driver first takes it.
    names: tuple[str, ...]
    positional: bool
    # Where a positional statement uses a parameter twice: the index in names of each placeholder.
    placeholders: tuple[int, ...] | None
    # The values the statement itself holds (literals in it, None too), used where the caller gives none.
    given: dict[str, Any]
    # An INSERT's columns the caller may leave out: each one's Python-side default, or NULL.
    defaults: dict[str, Callable[[], Any]]
    to_database: dict[str, Convert]
    from_database: tuple[Convert, ...]

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """Return values as the driver takes them, each converted by its column's type; refuse unknown names."""
        converted = []
        used = 0
        for name in self.names:
            if name in values:
                value = values[name]
                used += 1
            else:
                value = self.given[name] if name in self.given else self.defaults[name]()
            convert = self.to_database[name]
            converted.append(value if convert is None or value is None else convert(value))
        # Counted on the way, not looked up again: this runs for every reader's comment.
        if used != len(values):
            unknown = ", ".join(sorted(set(values).difference(self.names)))
            raise TypeError(f"no such parameter(s): {unknown}; the statement takes {', '.join(self.names)}")
        if not self.positional:
            return dict(zip(self.names, converted, strict=True))
        return tuple(converted) if self.placeholders is None else tuple(converted[i] for i in self.placeholders)


def _observed(connection: Connection) -> bool:
    """Tell whether statements on this connection are logged or have cursor-event listeners."""
    dispatch = connection.dispatch
    return bool(
        dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
        or connection.engine.echo
        or _ENGINE_LOG.isEnabledFor(logging.INFO)
    )


class DriverStatement:
    """A statement run on the hot path: compiled once per dialect, then handed to the driver's cursor as is.

    Connection.execute builds a cache key, an execution context and a result with its
    metadata for every call, several times the driver's own work for the small statements
    each reader's comment runs (measured: a seventh of a busy worker's time for three of
    them). This skips that and keeps what matters from it: the transaction (the statement
    runs in the connection's, begun as SQLAlchemy would) and the types' conversions, so the
    values read and written are the same as through Core. An INSERT's column left without a
    value gets what Core would store: its Python-side default, or NULL; a value for a name the
    statement has no parameter for is refused (TypeError), not dropped. When statements are
    logged or listened to (echo, cursor events), it goes through SQLAlchemy, so it is seen
    like any other.
    """

    def __init__(self, statement: Select[Any] | UpdateBase) -> None:
        self._statement = statement
        self._forms: dict[tuple[str, str], _Form] = {}

    def rows(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement in the connection's transaction; return its rows with each value converted."""
        form = self._form(connection.dialect)
        parameters = form.parameters(values)
        if _observed(connection):
            # Logged or listened to: through SQLAlchemy, so the statement is seen as any other.
            result = connection.exec_driver_sql(form.sql, parameters).all()
        else:
            if not connection.in_transaction():
                connection.begin()  # as a statement through SQLAlchemy would (autobegin)
            cursor = connection.connection.cursor()
            try:
                cursor.execute(form.sql, parameters)
                result = cursor.fetchall() if form.from_database else []
            finally:
                cursor.close()
        converts = form.from_database
        return [
            tuple(value if c is None else c(value) for c, value in zip(converts, row, strict=True)) for row in result
        ]

    def _form(self, dialect: Dialect) -> _Form:
        # Per driver, not only per database: drivers differ in how parameters are written.
        # Two threads may compile the same form at once; either result serves.
        key = (dialect.name, dialect.driver)
        form = self._forms.get(key)
        if form is None:
            form = self._forms[key] = self._compile(dialect)
        return form

    def _compile(self, dialect: Dialect) -> _Form:
        # This reads SQLAlchemy's compiler internals, which may change between minor releases:
        # pyproject.toml pins the series and tests/test_sqlalchemy_internals.py checks each one.
        compiled = self._statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        if compiled.escaped_bind_names or any(bind.expanding for bind in by_name.values()):
            raise ValueError("only plainly named, single-valued parameters can go to the driver as they are")
        order = tuple(compiled.positiontup or by_name)
        names = tuple(dict.fromkeys(order))
        binds = {name: by_name[name] for name in names}
        # A parameter is the caller's (required), an INSERT's column left out (filled by its default),
        # or a literal of the statement, whose value it holds, None as much as any other.
        left_out = {column.key for column in compiled.insert_prefetch}
        return _Form(
            sql=compiled.string,
            names=names,
            positional=bool(compiled.positional),
            placeholders=None if order == names else tuple(names.index(name) for name in order),
            given={name: bind.value for name, bind in binds.items() if not bind.required and name not in left_out},
            defaults=_column_defaults(self._statement, names),
            to_database={name: bind.type.dialect_impl(dialect).bind_processor(dialect) for name, bind in binds.items()},
            from_database=tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self._statement.exported_columns
            ),
        )


def _column_defaults(statement: Select[Any] | UpdateBase, names: tuple[str, ...]) -> dict[str, Callable[[], Any]]:
    """Return, for an INSERT's column parameters, what Core would store for a column left out."""
    if not isinstance(statement, Insert):
        return {}
    defaults: dict[str, Callable[[], Any]] = {}
    for name in names:
        column = statement.table.c.get(name)
        # A server-side default would apply only if the column were left out of the statement.
        if column is None or column.server_default is not None:
            continue
        default = column.default
        if default is None:
            defaults[name] = partial(_constant, None)
        elif default.is_callable:
            # SQLAlchemy wrapped the column's function to take an execution context, which it leaves unused.
            defaults[name] = partial(default.arg, None)  # type: ignore[attr-defined]
        elif default.is_scalar:
            defaults[name] = partial(_constant, default.arg)  # type: ignore[attr-defined]
        else:
            raise ValueError(f"column {name}: only Python-side defaults can be filled in here")
    return defaults


def _constant(value: Any) -> Any:
    return value
