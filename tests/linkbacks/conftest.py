"""Fixtures for linkback tests: a guarded network, loopback source pages, a live service, absolute URLs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from comments_service.linkbacks.fetcher import Policy
from comments_service.linkbacks.worker import stop_verifier

from .netguard import NetGuard, install
from .pages import PageServer, start_page_server, stop_page_server

SITE = "http://blog.test"
POST = f"{SITE}/open-post.html"
LOOPBACK_OK = Policy(allow_loopback=True, deadline=5.0)
STRICT = Policy(deadline=5.0)


@pytest.fixture(autouse=True)
def guard(monkeypatch: pytest.MonkeyPatch) -> NetGuard:
    """Every linkback test runs with resolution and connections intercepted (loopback only)."""
    return install(monkeypatch)


@pytest.fixture
def pages() -> Iterator[PageServer]:
    """A real HTTP server on a loopback address, port 8080."""
    server = start_page_server()
    yield server
    stop_page_server(server)


@pytest.fixture
def site_dir(site_dir: Path) -> Path:
    """The demo site, published at http://blog.test with the service at the same origin."""
    with (site_dir / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'\nSITEURL = "{SITE}"\nKILN["SERVICE_URL"] = "{SITE}"\n')
    return site_dir


@pytest.fixture
def lb_app(app: Flask) -> Iterator[Flask]:
    """The service, allowed (as a test) to fetch source pages from loopback."""
    app.config.update(LINKBACKS_ALLOW_LOOPBACK=True, FETCH_DEADLINE=5.0)
    yield app
    # No verification may outlive the test (and its network guard, and its store).
    assert stop_verifier(app, 10)


@pytest.fixture
def live(lb_app: Flask) -> Iterator[str]:
    """The service running on 127.0.0.1 in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, lb_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
