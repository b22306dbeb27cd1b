"""The schema: migrations match the models, and commits are durable."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from comments_service.store.database import database
from comments_service.store.models import Base


def test_migrations_build_exactly_the_models(database_url: str) -> None:
    with database(database_url).engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_sqlite_commits_are_durable_and_concurrent(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        with database(database_url).engine.connect() as connection:
            assert connection.execute(sa.text("SHOW synchronous_commit")).scalar() == "on"
        return
    with database(database_url).engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA synchronous")).scalar() == 2  # FULL
