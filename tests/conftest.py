"""Shared fixtures: a real database (SQLite and PostgreSQL), a real Pelican site, the app."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from bench.sites import postgres_schema
from comments_service import create_app
from comments_service.background.worker import stop_all_workers
from comments_service.baking.pelican_site import full_build
from comments_service.baking.trigger import site_of, stop_worker
from comments_service.extensions import limiter
from comments_service.moderation.accounts import create_user
from comments_service.store.database import database
from comments_service.store.migrate import upgrade
from comments_service.store.models import Role

from .helpers import csrf_token_from
from .mail.conftest import SmtpServer, free_port

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("KILN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("KILN_TEST_REQUIRE_SERVICES") == "1"
MODERATOR = ("mod", "correct horse battery")


def service_missing(reason: str) -> None:
    """Skip a test whose service is absent, or fail it where CI requires the service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (KILN_TEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def require_postgres() -> None:
    """Skip (or, in CI, fail) the calling test when the PostgreSQL server cannot be reached."""
    admin = sa.create_engine(PG_URL)
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as error:
        service_missing(f"PostgreSQL is not reachable at {PG_URL}: {error.orig}")
    finally:
        admin.dispose()


def _postgres_schema_url() -> Iterator[str]:
    require_postgres()
    with postgres_schema(PG_URL, prefix="t") as url:
        yield url
        # Apps made inside a test may still bake in a thread; stop them before the schema goes.
        stop_all_workers()


def _sqlite_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'kiln.sqlite3'}"
    upgrade(url)
    yield url
    stop_all_workers()
    database(url).dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty comment store on each backend."""
    if request.param == "sqlite":
        yield from _sqlite_url(tmp_path)
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A migrated, empty comment store in SQLite, for what only SQLite needs: its write gate and group commit."""
    yield from _sqlite_url(tmp_path)


@pytest.fixture
def chrome_language() -> str:
    """The chrome language the test site forces: English, as `make run` does; "" lets each post's Lang decide."""
    return "en"


@pytest.fixture
def site_dir(tmp_path: Path, chrome_language: str) -> Path:
    """A copy of the demo site's sources: settings, posts, theme and plugin."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(REPO / "pelicanconf.py", site)
    with (site / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'\nKILN["LANGUAGE"] = {chrome_language!r}\n')
    for folder in ("content", "theme", "plugins"):
        shutil.copytree(REPO / folder, site / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (site / "content" / "open-post.md").write_text(
        "Title: Open post\nDate: 2009-07-01 09:00\nAuthor: Rikkert Walbeek\nCategory: Sales\n"
        "Slug: open-post\n\nA post whose thread is open for comments.\n",
        encoding="utf-8",
    )
    return site


def built_app(database_url: str, site_dir: Path, **settings: Any) -> Iterator[Flask]:
    """Yield the service over a store with its site fully built once; stop its worker and limits after."""
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "SITE_DIR": str(site_dir),
            "OUTPUT_PATH": str(site_dir / "output"),
            **settings,
        }
    )
    full_build(site_of(application))
    yield application
    stop_worker(application)
    limiter.reset()


@pytest.fixture
def app(database_url: str, site_dir: Path) -> Iterator[Flask]:
    """The service over a real store, with the site fully built once."""
    # Most tests post several comments in a row from 127.0.0.1; the flood check's own tests turn it on.
    yield from built_app(database_url, site_dir, FLOOD_SECONDS=0)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client of the service."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Runs the service's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def output(app: Flask) -> Path:
    """The built site's output folder."""
    return site_of(app).output


@pytest.fixture
def moderator(app: Flask) -> tuple[str, str]:
    """A moderator account's username and password."""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        create_user(session, *MODERATOR, role=Role.MODERATOR)
    return MODERATOR


@pytest.fixture
def mod_client(client: FlaskClient, moderator: tuple[str, str]) -> FlaskClient:
    """A client logged in as a moderator."""
    token = csrf_token_from(client.get("/moderate/login").get_data(as_text=True))
    response = client.post(
        "/moderate/login", data={"username": moderator[0], "password": moderator[1], "csrf_token": token}
    )
    assert response.status_code == 303
    return client


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 that records what it receives."""
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()
