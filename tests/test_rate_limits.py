"""Per-address rate limits on every public endpoint, in memory and in Redis shared by several processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask

from comments_service import create_app
from comments_service.extensions import limiter
from comments_service.store.database import database
from comments_service.store.threads import PostInfo, sync_posts

from .conftest import REPO, service_missing
from .helpers import csrf_token_from

_REDIS_BASE = os.environ.get("KILN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# One Redis database per xdist worker (15, 14, …): the fixture empties it, which must not
# reset the counters of a test running at the same time in another worker.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = f"{_REDIS_BASE.rsplit('/', 1)[0]}/{int(_REDIS_BASE.rsplit('/', 1)[1]) - _WORKER}"
JSON = {"Accept": "application/json"}
FORM = {"author": "Anna", "body": "Reactie"}
# The samples that fill each route's variable parts.
SAMPLES = {"<slug>": "open-post", "<int:comment_id>": "1", "<action>": "approve", "<path:filename>": "open-post.html"}


@pytest.fixture(params=["memory", "redis"])
def storage_uri(request: pytest.FixtureRequest) -> Iterator[str]:
    """Flask-Limiter's storage: in-process memory, or a dedicated Redis database emptied around the test."""
    if request.param == "memory":
        yield "memory://"
        return
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        client.close()
        service_missing(f"Redis is not reachable at {REDIS_URL}: {error}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def _config(database_url: str, site_dir: Path, storage_uri: str) -> dict[str, Any]:
    return {
        "DATABASE_URL": database_url,
        "SITE_DIR": str(site_dir),
        "OUTPUT_PATH": str(site_dir / "output"),
        "SECRET_KEY": "test-secret",
        "SERVE_SITE": True,
        "RATELIMIT_STORAGE_URI": storage_uri,
        "SUBMIT_RATE_LIMIT": "3 per minute",
        "LOGIN_RATE_LIMIT": "2 per minute",
        "PUBLIC_RATE_LIMIT": "2 per minute",
        "MAIL_LINK_RATE_LIMIT": "2 per minute",
        "FLOOD_SECONDS": 0,
    }


@pytest.fixture
def limited_app(database_url: str, site_dir: Path, storage_uri: str) -> Iterator[Flask]:
    """The service with small limits over the chosen storage, and a post to comment on."""
    app = create_app(_config(database_url, site_dir, storage_uri))
    with database(database_url).transaction() as session:
        sync_posts(session, [PostInfo("open-post", "Open post", "Kiln", "open-post.html", None, False)])
    yield app
    limiter.reset()


def _post(app: Flask, body: str, ip: str = "192.0.2.1") -> int:
    form = {**FORM, "body": body}
    response = app.test_client().post("/comments/open-post/", data=form, headers=JSON, environ_base={"REMOTE_ADDR": ip})
    return response.status_code


def test_submissions_are_limited_per_address(limited_app: Flask) -> None:
    assert [_post(limited_app, f"Reactie {n}") for n in range(3)] == [202, 202, 202]
    client = limited_app.test_client()
    refused = client.post("/comments/open-post/", data=FORM, headers=JSON, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    # The breached limit is 3 per minute: the address may comment again within the minute
    # (Flask-Limiter rounds the window's reset up to the next whole second).
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 61
    assert _post(limited_app, "Van een ander adres", ip="192.0.2.2") == 202


def test_an_accepted_comment_is_counted_once_and_answered_without_limit_headers(
    limited_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Headers describing the limit would read its window from storage (Redis) on every answer.
    reads: list[object] = []
    window_stats = limiter.limiter.get_window_stats
    monkeypatch.setattr(limiter.limiter, "get_window_stats", lambda *args: reads.append(args) or window_stats(*args))
    client = limited_app.test_client()
    response = client.post("/comments/open-post/", data=FORM, headers=JSON, environ_base={"REMOTE_ADDR": "192.0.2.3"})
    assert response.status_code == 202
    assert not [name for name, _ in response.headers.items() if name.lower().startswith(("x-ratelimit", "retry-after"))]
    assert reads == []


def test_every_public_endpoint_is_limited(limited_app: Flask) -> None:
    checked = []
    for rule in limited_app.url_map.iter_rules():
        methods = rule.methods or set()
        url = rule.rule
        for part, sample in SAMPLES.items():
            url = url.replace(part, sample)
        # POSTs to the moderation routes need a session and a CSRF token and are refused before any work.
        method = "POST" if rule.endpoint in {"submission.submit", "auth.login"} else "GET"
        # Flask's own static route serves nothing here (there is no static folder); Flask-Limiter skips it by design.
        if method not in methods or rule.endpoint == "static":
            continue
        limiter.reset()  # both of the site's page routes count as one endpoint
        client = limited_app.test_client()
        data = dict(FORM)
        if rule.endpoint == "auth.login":
            # A login attempt needs the form's CSRF token; the page it comes from is on another address.
            page = client.get(url, environ_base={"REMOTE_ADDR": "192.0.2.200"}).get_data(as_text=True)
            data = {"username": "nobody", "password": "wrong", "csrf_token": csrf_token_from(page)}
        statuses = [client.open(url, method=method, data=data, headers=JSON).status_code for _ in range(4)]
        assert 429 not in statuses[:2] and statuses[-1] == 429, (rule.endpoint, statuses)
        checked.append(rule.endpoint)
    assert {"submission.submit", "auth.login", "moderation.queue", "site_files.page"} <= set(checked)


def test_several_processes_share_the_counter_only_through_redis(
    limited_app: Flask, database_url: str, site_dir: Path, storage_uri: str
) -> None:
    assert [_post(limited_app, f"Hier {n}", ip="192.0.2.50") for n in range(2)] == [202, 202]
    # A second service process with the same settings posts from the same address.
    script = (
        "import json, sys\n"
        "from comments_service import create_app\n"
        "client = create_app(json.loads(sys.argv[1])).test_client()\n"
        "codes = [client.post('/comments/open-post/', data={'author': 'Anna', 'body': f'Daar {n}'},\n"
        "         headers={'Accept': 'application/json'}, environ_base={'REMOTE_ADDR': '192.0.2.50'}).status_code\n"
        "         for n in range(2)]\n"
        "print(json.dumps(codes))\n"
    )
    config = json.dumps(_config(database_url, site_dir, storage_uri))
    done = subprocess.run(
        [sys.executable, "-c", script, config], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    codes = json.loads(done.stdout.strip().splitlines()[-1])
    # Through Redis the other process sees our two posts: one more is allowed. In memory it counts alone.
    assert codes == ([202, 429] if storage_uri.startswith("redis") else [202, 202])
