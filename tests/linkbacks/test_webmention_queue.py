"""The webmention queue is durable: acknowledged mentions survive a restart, are verified once, and retried."""

from __future__ import annotations

import gc
import runpy
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments_service import create_app
from comments_service.linkbacks.worker import start_verifier, stop_verifier
from comments_service.store.database import database
from comments_service.store.models import PendingWebmention, State, utcnow
from comments_service.store.pending_webmentions import claim_next, settle, store_mention

from ..conftest import REPO
from .conftest import POST
from .helpers import linkbacks, source_html
from .netguard import NetGuard
from .pages import PageServer

LEASE = timedelta(minutes=10)


@pytest.fixture
def stopped(lb_app: Flask) -> Flask:
    """The service with no verifier threads: it stores and acknowledges mentions, and verifies none."""
    lb_app.config.update(WEBMENTION_WORKERS=0, LINKBACK_SOURCE_RATE_LIMIT="100 per minute")
    return lb_app


@pytest.fixture
def restart(stopped: Flask) -> Iterator[Callable[..., Flask]]:
    """Start another instance of the service over the same store and site, as after a restart."""
    started: list[Flask] = []

    def start(**config: object) -> Flask:
        app = create_app({**stopped.config, "WEBMENTION_WORKERS": 2, **config})
        started.append(app)
        return app

    yield start
    for app in started:
        assert stop_verifier(app, 10)


def _mention(client: FlaskClient, source: str, target: str = POST) -> None:
    response = client.post("/webmention", data={"source": source, "target": target})
    assert response.status_code == 202, response.get_data(as_text=True)


def _pending(app: Flask) -> list[PendingWebmention]:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return list(session.scalars(select(PendingWebmention).order_by(PendingWebmention.id)))


def _fetches(pages: PageServer, path: str) -> int:
    return sum(1 for seen in pages.seen if seen.path == path)


def test_a_mention_acknowledged_before_a_restart_is_verified_when_the_service_starts_again(
    stopped: Flask, client: FlaskClient, pages: PageServer, restart: Callable[..., Flask]
) -> None:
    source = pages.page("/note", source_html(POST, title="Said before the restart"))
    _mention(client, source)
    [row] = _pending(stopped)
    assert (row.source, row.target, row.thread_slug, row.ip) == (source, POST, "open-post", "127.0.0.1")
    assert linkbacks(stopped) == [] and _fetches(pages, "/note") == 0

    # The first instance is gone without verifying anything; the next one takes the mention up as
    # soon as gunicorn has started its worker.
    service = restart()
    gunicorn_conf = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    gunicorn_conf["post_worker_init"](SimpleNamespace(wsgi=service))
    gc.unfreeze()  # the worker start froze this test process's objects too
    assert start_verifier(service).wait_idle(10)
    [mention] = linkbacks(stopped)
    assert (mention.state, mention.title, mention.ip) == (State.PENDING, "Said before the restart", "127.0.0.1")
    assert _pending(stopped) == []


def test_a_mention_whose_worker_died_mid_verification_is_taken_up_when_its_lease_expires(
    stopped: Flask, client: FlaskClient, pages: PageServer, restart: Callable[..., Flask]
) -> None:
    source = pages.page("/note", source_html(POST))
    _mention(client, source)
    url = stopped.config["DATABASE_URL"]
    with database(url).transaction() as session:
        assert claim_next(session, utcnow(), 6, LEASE) is not None  # a worker that is verifying it right now
    service = restart()
    assert start_verifier(service).wait_idle(10)
    assert linkbacks(stopped) == [] and _pending(stopped)[0].attempts == 1

    with database(url).transaction() as session:
        # That worker died: its lease runs out, and the mention is free again.
        session.scalars(select(PendingWebmention)).one().leased_until = utcnow() - timedelta(seconds=1)
    assert start_verifier(service).wait_idle(10)
    assert len(linkbacks(stopped)) == 1 and _pending(stopped) == []


def test_the_cli_verifies_what_is_due_once(
    stopped: Flask, client: FlaskClient, pages: PageServer, guard: NetGuard
) -> None:
    _mention(client, pages.page("/note", source_html(POST)))
    _mention(client, pages.page("/down", "busy", status=503))
    result = stopped.test_cli_runner().invoke(args=["process-webmentions"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Verified 1, to retry 1, gave up on 0; 1 webmention(s) waiting."
    assert len(linkbacks(stopped)) == 1 and guard.non_loopback_attempts() == []


def test_repeated_mentions_of_one_source_and_target_share_one_row_even_when_they_race(
    stopped: Flask, pages: PageServer, restart: Callable[..., Flask]
) -> None:
    stopped.config["LINKBACK_RATE_LIMIT"] = "100 per minute"
    source = pages.page("/note", source_html(POST))
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def post() -> None:
        client = stopped.test_client()
        barrier.wait()
        statuses.append(client.post("/webmention", data={"source": source, "target": POST}).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [202] * 6
    assert len(_pending(stopped)) == 1
    assert start_verifier(restart()).wait_idle(10)
    assert len(linkbacks(stopped)) == 1 and _fetches(pages, "/note") == 1


def test_concurrent_workers_never_claim_one_mention_twice(stopped: Flask) -> None:
    url = stopped.config["DATABASE_URL"]
    with database(url).transaction() as session:
        for n in range(24):
            store_mention(session, "open-post", f"http://elsewhere.test/{n}", POST, "192.0.2.1", "", utcnow())
    barrier = threading.Barrier(6)
    claimed: list[int] = []

    def work() -> None:
        barrier.wait()
        while True:
            with database(url).transaction() as session:
                row = claim_next(session, utcnow(), 6, LEASE)
            if row is None:
                return
            claimed.append(row.id)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(claimed) == sorted(row.id for row in _pending(stopped))
    assert len(claimed) == 24


def test_two_restarted_instances_verify_each_mention_exactly_once(
    stopped: Flask, client: FlaskClient, pages: PageServer, restart: Callable[..., Flask]
) -> None:
    stopped.config["LINKBACK_RATE_LIMIT"] = "100 per minute"

    def slow_page(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(0.05)  # long enough for the other instance's workers to look for work meanwhile
        body = source_html(POST, title=handler.path).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    for n in range(12):
        _mention(client, pages.handler(f"/note-{n}", slow_page))
    verifiers = [start_verifier(restart(WEBMENTION_WORKERS=3)) for _ in range(2)]
    assert all(verifier.wait_idle(20) for verifier in verifiers)
    assert sorted(seen.path for seen in pages.seen) == sorted(f"/note-{n}" for n in range(12))
    assert len(linkbacks(stopped)) == 12 and _pending(stopped) == []


def test_transient_failures_are_retried_until_the_source_answers(
    stopped: Flask, client: FlaskClient, pages: PageServer, restart: Callable[..., Flask]
) -> None:
    answers = iter(["hang up", "busy"])

    def flaky(handler: BaseHTTPRequestHandler) -> None:
        answer = next(answers, "ok")
        if answer == "hang up":
            handler.close_connection = True  # no answer at all: the client sees the connection drop
            return
        body = (source_html(POST) if answer == "ok" else "busy").encode()
        handler.send_response(200 if answer == "ok" else 503)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    _mention(client, pages.handler("/flaky", flaky))
    assert start_verifier(restart(WEBMENTION_RETRY_DELAY=0)).wait_idle(10)
    assert _fetches(pages, "/flaky") == 3
    assert len(linkbacks(stopped)) == 1 and _pending(stopped) == []


def test_a_failure_waits_its_backoff_and_a_permanent_refusal_is_not_retried(
    stopped: Flask, client: FlaskClient, pages: PageServer, restart: Callable[..., Flask]
) -> None:
    _mention(client, pages.page("/down", "busy", status=503))
    _mention(client, pages.page("/forbidden", "no", status=403))
    before = utcnow()
    assert start_verifier(restart()).wait_idle(10)
    [row] = _pending(stopped)
    assert (row.source, row.attempts, row.last_error) == (pages.url("/down"), 1, "answered 503")
    assert before + timedelta(seconds=59) < row.next_attempt < utcnow() + timedelta(seconds=61)
    assert row.leased_until is None
    assert _fetches(pages, "/down") == 1 and _fetches(pages, "/forbidden") == 1


def test_the_queue_gives_up_after_its_attempts_and_says_why_until_mentioned_again(
    stopped: Flask, client: FlaskClient, pages: PageServer, restart: Callable[..., Flask]
) -> None:
    source = pages.page("/down", "busy", status=503)
    _mention(client, source)
    service = restart(WEBMENTION_RETRY_DELAY=0, WEBMENTION_MAX_ATTEMPTS=3)
    assert start_verifier(service).wait_idle(10)
    [row] = _pending(stopped)
    assert (row.attempts, row.last_error) == (3, "gave up after 3 attempts: answered 503")
    assert _fetches(pages, "/down") == 3 and linkbacks(stopped) == []

    # A new mention of the same source gets a new set of tries.
    pages.page("/down", source_html(POST))
    _mention(service.test_client(), source)
    assert start_verifier(service).wait_idle(10)
    assert len(linkbacks(stopped)) == 1 and _pending(stopped) == []


def test_a_mention_repeated_during_its_verification_is_verified_again(stopped: Flask) -> None:
    url = stopped.config["DATABASE_URL"]
    with database(url).transaction() as session:
        store_mention(session, "open-post", "http://elsewhere.test/a", POST, "192.0.2.1", "", utcnow())
    with database(url).transaction() as session:
        claimed = claim_next(session, utcnow(), 6, LEASE)
    assert claimed is not None
    with database(url).transaction() as session:
        # The source changes its page and mentions the post again while the first check runs.
        store_mention(session, "open-post", "http://elsewhere.test/a", POST, "192.0.2.1", "", utcnow())
        assert claim_next(session, utcnow(), 6, LEASE) is None  # still leased: nobody else may take it
    with database(url).transaction() as session:
        settle(session, claimed, None)
    [row] = _pending(stopped)
    assert (row.attempts, row.leased_until) == (0, None)
    with database(url).transaction() as session:
        again = claim_next(session, utcnow(), 6, LEASE)
        assert again is not None and again.id == claimed.id
        settle(session, again, None)
    assert _pending(stopped) == []


def test_a_full_queue_refuses_new_mentions_with_429(stopped: Flask, client: FlaskClient, pages: PageServer) -> None:
    stopped.config["WEBMENTION_QUEUE_MAX"] = 1
    _mention(client, pages.page("/one", source_html(POST)))
    response = client.post("/webmention", data={"source": pages.page("/two", source_html(POST)), "target": POST})
    assert response.status_code == 429
    assert len(_pending(stopped)) == 1
