"""Fixtures for import and export: the acceptance files, a second empty store, a CLI helper."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner

from comments_service.porting.json_format import export_store
from comments_service.store.database import database
from comments_service.store.migrate import upgrade

from ..conftest import REPO, _postgres_schema_url, service_missing

# CI lays shared/ beside the clone; a developer's worktree finds it at /work/shared.
ACCEPTANCE_CANDIDATES = (REPO.parent / "shared" / "acceptance", Path("/work/shared/acceptance"))


@pytest.fixture(scope="session")
def acceptance() -> Path:
    """The folder of third-party export files the acceptance tests read."""
    for folder in ACCEPTANCE_CANDIDATES:
        if (folder / "SOURCES.md").is_file():
            return folder
    service_missing(f"acceptance files not found in {', '.join(map(str, ACCEPTANCE_CANDIDATES))}")
    raise AssertionError("unreachable")


@pytest.fixture
def empty_store_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second migrated, empty store on the same backend as database_url."""
    sqlite = database_url.startswith("sqlite")
    for url in [f"sqlite:///{tmp_path / 'second.sqlite3'}"] if sqlite else _postgres_schema_url():
        upgrade(url)
        yield url
        database(url).dispose()


def invoke(runner: FlaskCliRunner, *args: str) -> Result:
    """Run a CLI command; whatever happens it must end with a message, never a traceback."""
    result = runner.invoke(args=list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def snapshot(url: str) -> dict[str, Any]:
    """Return the whole store as its export sees it."""
    with database(url).transaction() as session:
        return export_store(session)


def app_url(app: Flask) -> str:
    """Return the app's database URL."""
    return str(app.config["DATABASE_URL"])
