"""Each SQLAlchemy internal that store/driver_sql.py reads is there and behaves as it assumes, on every database.

These are not public API and may change in any minor release; pyproject.toml pins the series they hold
for. A failure names the internal: adapt driver_sql.py to it before widening the pin.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter

from comments_service.store.driver_sql import DriverStatement
from comments_service.store.models import UTCDateTime

from .conftest import PG_URL, require_postgres

# One of each kind of column driver_sql treats differently: no default, a scalar and a callable
# Python-side default, a server-side default, and types converted on the way in and out.
_made: list[datetime] = []
_TABLE = Table(
    "internals",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
    Column("count", Integer, default=1),
    Column("at", UTCDateTime(), default=lambda: _made[-1]),
    Column("flag", Boolean),
    Column("served", String(5), server_default="x"),
)
_POSITIONAL = {"qmark", "format", "numeric", "numeric_dollar"}


@contextmanager
def relied_on(internal: str) -> Iterator[None]:
    """Fail, naming the internal, when it is gone or no longer behaves as driver_sql assumes."""
    try:
        yield
    except (AssertionError, AttributeError, KeyError, TypeError) as error:
        pytest.fail(
            f"SQLAlchemy {sqlalchemy.__version__} changed {internal}, which store/driver_sql.py relies on: "
            f"{type(error).__name__}: {error}. Adapt driver_sql.py to it before widening the pin in pyproject.toml.",
            pytrace=False,
        )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine whose dialect a live connection has set up, as the service's are."""
    if request.param == "postgresql":
        require_postgres()
    engine = create_engine("sqlite://" if request.param == "sqlite" else PG_URL)
    with engine.connect():
        pass
    yield engine
    engine.dispose()


def _names(compiled: SQLCompiler) -> dict[str, BindParameter[Any]]:
    return {name: bind for bind, name in compiled.bind_names.items()}


def test_a_statement_compiles_to_an_sql_compiler_holding_its_sql(engine: Engine) -> None:
    with relied_on("ClauseElement.compile(dialect=…) returning an SQLCompiler, and SQLCompiler.string"):
        compiled = select(_TABLE.c.id).where(_TABLE.c.name == bindparam("name")).compile(dialect=engine.dialect)
        assert isinstance(compiled, SQLCompiler)
        assert isinstance(compiled.string, str) and compiled.string.startswith("SELECT internals.id")


def test_bind_names_maps_each_parameter_to_the_name_it_is_given_by(engine: Engine) -> None:
    with relied_on("SQLCompiler.bind_names"):
        statement = select(_TABLE.c.id).where(_TABLE.c.name == bindparam("name"), _TABLE.c.count == bindparam("n"))
        compiled = statement.compile(dialect=engine.dialect)
        assert all(isinstance(bind, BindParameter) for bind in compiled.bind_names)
        assert sorted(compiled.bind_names.values()) == ["n", "name"]


def test_an_insert_names_its_python_defaulted_columns_as_parameters_and_leaves_the_rest_out(engine: Engine) -> None:
    # driver_sql fills such a parameter with the column's default, found by the parameter's name.
    with relied_on("SQLCompiler.bind_names of an INSERT's columns left without a value"):
        compiled = insert(_TABLE).values(name=bindparam("name")).compile(dialect=engine.dialect)
        assert isinstance(compiled, SQLCompiler)
        assert sorted(_names(compiled)) == ["at", "count", "name"]
        assert "served" not in compiled.string and "flag" not in compiled.string


def test_positional_and_positiontup_give_the_drivers_order(engine: Engine) -> None:
    dialect = engine.dialect
    with relied_on("SQLCompiler.positional and SQLCompiler.positiontup"):
        statement = select(_TABLE.c.id).where(_TABLE.c.name == bindparam("b"), _TABLE.c.count == bindparam("a"))
        compiled = statement.compile(dialect=dialect)
        assert bool(compiled.positional) == (dialect.paramstyle in _POSITIONAL)
        if compiled.positional:
            # The order the placeholders appear in, which is the order the driver takes values.
            assert list(compiled.positiontup or ()) == ["b", "a"]
        else:
            assert dialect.paramstyle == "pyformat" and "%(b)s" in compiled.string and "%(a)s" in compiled.string
    with relied_on("SQLCompiler.positional for SQLite (the positional path must be tested somewhere)"):
        if dialect.name == "sqlite":
            assert compiled.positional


def test_escaped_bind_names_lists_exactly_the_renamed_parameters(engine: Engine) -> None:
    with relied_on("SQLCompiler.escaped_bind_names"):
        plain = select(_TABLE.c.id).where(_TABLE.c.name == bindparam("name")).compile(dialect=engine.dialect)
        assert isinstance(plain, SQLCompiler) and not plain.escaped_bind_names
        dotted = select(_TABLE.c.id).where(_TABLE.c.name == bindparam("a.b")).compile(dialect=engine.dialect)
        assert isinstance(dotted, SQLCompiler) and "a.b" in dotted.escaped_bind_names
    with engine.connect() as connection, pytest.raises(ValueError, match="plainly named"):
        DriverStatement(select(_TABLE.c.id).where(_TABLE.c.name == bindparam("a.b"))).rows(connection, {"a.b": "x"})


def test_bind_parameter_expanding_marks_a_list_parameter(engine: Engine) -> None:
    with relied_on("BindParameter.expanding"):
        statement = select(_TABLE.c.id).where(
            _TABLE.c.name == bindparam("name"), _TABLE.c.id.in_(bindparam("ids", expanding=True))
        )
        compiled = statement.compile(dialect=engine.dialect)
        assert isinstance(compiled, SQLCompiler)
        binds = _names(compiled)
        assert binds["ids"].expanding is True and binds["name"].expanding is False
    with engine.connect() as connection, pytest.raises(ValueError, match="single-valued"):
        DriverStatement(statement).rows(connection, {"name": "x", "ids": [1]})


def test_bind_parameter_value_holds_a_literal_of_the_statement(engine: Engine) -> None:
    with relied_on("BindParameter.value"):
        compiled = insert(_TABLE).values(name=bindparam("name"), flag=True).compile(dialect=engine.dialect)
        assert isinstance(compiled, SQLCompiler)
        binds = _names(compiled)
        assert binds["flag"].value is True and binds["name"].value is None


def test_required_and_insert_prefetch_tell_a_literal_none_from_a_callers_parameter_and_a_default(
    engine: Engine,
) -> None:
    with relied_on("BindParameter.required and SQLCompiler.insert_prefetch"):
        statement = insert(_TABLE).values(name=bindparam("name"), flag=None)
        compiled = statement.compile(dialect=engine.dialect)
        assert isinstance(compiled, SQLCompiler)
        binds = _names(compiled)
        # All three hold None: the caller's, the statement's literal, and a column filled by its default.
        assert binds["name"].value is binds["flag"].value is binds["count"].value is None
        assert binds["name"].required is True and binds["flag"].required is False and binds["count"].required is False
        assert sorted(column.key for column in compiled.insert_prefetch) == ["at", "count"]


def test_positiontup_repeats_a_parameter_used_twice(engine: Engine) -> None:
    with relied_on("SQLCompiler.positiontup listing each placeholder, a name used twice twice"):
        statement = select(_TABLE.c.id).where(_TABLE.c.name == bindparam("n"), _TABLE.c.served == bindparam("n"))
        compiled = statement.compile(dialect=engine.dialect)
        assert isinstance(compiled, SQLCompiler)
        if compiled.positional:
            assert list(compiled.positiontup or ()) == ["n", "n"]
        else:
            assert list(_names(compiled)) == ["n"]


@pytest.mark.parametrize(
    "value",
    [datetime(2009, 5, 25, 9, 25, tzinfo=timezone(timedelta(hours=2))), True, False, 7, "tekst"],
    ids=["aware datetime", "true", "false", "integer", "text"],
)
def test_the_types_processors_convert_as_core_does(engine: Engine, value: object) -> None:
    dialect = engine.dialect
    column = {datetime: "at", bool: "flag", int: "count", str: "name"}[type(value)]
    with relied_on("BindParameter.type, TypeEngine.dialect_impl, bind_processor and result_processor"):
        compiled = insert(_TABLE).values({column: bindparam(column)}).compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        to_database = _names(compiled)[column].type.dialect_impl(dialect).bind_processor(dialect)
        [read] = select(_TABLE.c[column]).exported_columns
        from_database = read.type.dialect_impl(dialect).result_processor(dialect, None)
        assert to_database is None or callable(to_database)
        assert from_database is None or callable(from_database)
        # driver_sql's own use: a missing processor means the value passes as it is.
        stored = value if to_database is None else to_database(value)
        assert (stored if from_database is None else from_database(stored)) == value
    if isinstance(value, datetime):
        with relied_on("TypeDecorator.bind_processor including the decorator's process_bind_param"):
            assert to_database is not None
            assert str(to_database(value)).startswith("2009-05-25 07:25:00")
            with pytest.raises(ValueError, match="naive"):
                to_database(value.replace(tzinfo=None))
        with relied_on("TypeDecorator.result_processor including the decorator's process_result_value"):
            assert from_database is not None and from_database(stored).tzinfo is UTC


def test_exported_columns_are_the_rows_columns_in_order(engine: Engine) -> None:
    with relied_on("Select.exported_columns and Insert.exported_columns"):
        assert list(select(_TABLE.c.at, _TABLE.c.id).exported_columns) == [_TABLE.c.at, _TABLE.c.id]
        assert list(insert(_TABLE).returning(_TABLE.c.id, _TABLE.c.at).exported_columns) == [_TABLE.c.id, _TABLE.c.at]
        # An INSERT without RETURNING has none, so driver_sql fetches no rows for it.
        assert len(insert(_TABLE).values(name=bindparam("name")).exported_columns) == 0


def test_an_insert_knows_its_table_and_each_column_its_defaults() -> None:
    with relied_on("Insert.table"):
        statement = insert(_TABLE).values(name=bindparam("name"))
        assert statement.table is _TABLE and statement.table.c.get("nothing") is None
    with relied_on("Column.server_default"):
        assert _TABLE.c.served.server_default is not None and _TABLE.c.name.server_default is None
    with relied_on("Column.default.is_scalar and Column.default.arg (a scalar default)"):
        scalar: Any = _TABLE.c.count.default
        assert scalar.is_scalar is True and scalar.is_callable is False and scalar.arg == 1
        assert _TABLE.c.name.default is None
    with relied_on("Column.default.is_callable and Column.default.arg (a callable default, wrapped to take a context)"):
        made: Any = _TABLE.c.at.default
        assert made.is_callable is True and made.is_scalar is False
        _made.append(datetime.now(UTC))
        assert made.arg(None) is _made[-1]


def test_connection_dispatch_shows_cursor_listeners(engine: Engine) -> None:
    def listener(*args: object) -> None:
        pass

    with relied_on("Connection.dispatch.before_cursor_execute and after_cursor_execute"):
        with engine.connect() as connection:
            assert not connection.dispatch.before_cursor_execute and not connection.dispatch.after_cursor_execute
        for name in ("before_cursor_execute", "after_cursor_execute"):
            event.listen(engine, name, listener)
            try:
                with engine.connect() as connection:
                    assert getattr(connection.dispatch, name)
            finally:
                event.remove(engine, name, listener)
