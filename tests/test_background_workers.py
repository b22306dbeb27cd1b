"""Background workers: one per app and process, woken or polling, restarted after a fork, started in one place."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from comments_service.background.lease import LeaseTerms
from comments_service.background.start import start_workers
from comments_service.background.worker import BackgroundWorker, stop_all_workers
from comments_service.baking.trigger import BakeThread
from comments_service.linkbacks.worker import WebmentionVerifier
from comments_service.notify.sender import MailSender

from .conftest import built_app
from .helpers import eventually


class CountingWorker(BackgroundWorker):
    """A worker whose pass only notes the ticket it answers."""

    name = "kiln-test-counter"

    def __init__(self, poll_seconds: float = 600.0, threads: int = 1) -> None:
        super().__init__(poll_seconds, threads)
        self.passes: list[int] = []

    def work(self, ticket: int) -> None:
        """Note the pass."""
        self.passes.append(ticket)


@pytest.fixture
def counter() -> Iterator[CountingWorker]:
    """A counting worker, not started yet; stopped after the test."""
    worker = CountingWorker()
    yield worker
    worker.stop()


def _threads(name: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith(name)]


def test_a_started_worker_passes_at_once_and_when_woken_not_before_its_poll(counter: CountingWorker) -> None:
    counter.start()
    counter.start()
    assert len(_threads(CountingWorker.name)) == 1, "a second start in the same process starts nothing"
    assert eventually(lambda: counter.passes == [0]), "the first pass takes up what was queued before the start"
    time.sleep(0.2)
    assert counter.passes == [0], "the poll is ten minutes away"
    assert counter.wait(counter.wake(), 10) and counter.passes == [0, 1]


def test_a_worker_polls_without_being_woken() -> None:
    worker = CountingWorker(poll_seconds=0.05)
    worker.start()
    try:
        assert eventually(lambda: len(worker.passes) >= 3)
    finally:
        worker.stop()


def test_stop_ends_every_thread_after_its_pass() -> None:
    worker = CountingWorker(threads=3)
    worker.start()
    assert worker.wait_idle(10)
    assert len(_threads(CountingWorker.name)) == 3
    worker.stop()
    assert _threads(CountingWorker.name) == []
    assert not worker.wait(worker.wake(), 0.2), "a stopped worker answers no more wakes"


def test_a_worker_started_before_a_fork_runs_again_in_the_child(counter: CountingWorker) -> None:
    counter.start()
    assert counter.wait(counter.wake(), 10)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            counter.start()
            answered = counter.wait(counter.wake(), 10)
            os.write(write, b"answered" if answered and len(_threads(CountingWorker.name)) == 1 else b"silent")
        finally:
            os._exit(0)
    os.close(write)
    try:
        assert os.read(read, 100) == b"answered", "the child started threads of its own"
    finally:
        os.close(read)
        os.waitpid(child, 0)
    assert counter.wait(counter.wake(), 10), "the parent's threads still run"


def test_start_workers_starts_what_the_settings_turn_on_once(app: Flask) -> None:
    start_workers(app)
    start_workers(app)
    assert BakeThread.running(app) is not None
    assert WebmentionVerifier.running(app) is not None
    assert MailSender.running(app) is None, "email is off: MAIL_HOST is not set"
    assert len(_threads(BakeThread.name)) == 1 and len(_threads(WebmentionVerifier.name)) == 2
    stop_all_workers()
    assert _threads(BakeThread.name) == [] and _threads(WebmentionVerifier.name) == []


def test_settings_keep_each_worker_off(app: Flask) -> None:
    app.config.update(BAKE_IN_PROCESS=False, WEBMENTION_WORKERS=0, MAIL_HOST="127.0.0.1", MAIL_FROM="blog@example.org")
    start_workers(app)
    assert BakeThread.running(app) is None and WebmentionVerifier.running(app) is None
    assert MailSender.running(app) is None, "email is off until SITE_URL is set too"


@pytest.fixture
def served_app(database_url: str, site_dir: Path) -> Iterator[Flask]:
    """The service as a server runs it: not TESTING."""
    yield from built_app(database_url, site_dir, TESTING=False)
    stop_all_workers()


def test_the_first_request_starts_the_workers_and_a_command_starts_none(served_app: Flask) -> None:
    result = served_app.test_cli_runner().invoke(args=["process-webmentions"])
    assert result.exit_code == 0, result.output
    assert BakeThread.running(served_app) is None and WebmentionVerifier.running(served_app) is None
    assert served_app.test_client().get("/moderate/login").status_code == 200
    assert BakeThread.running(served_app) is not None and WebmentionVerifier.running(served_app) is not None


def test_under_testing_requests_start_no_worker(app: Flask) -> None:
    assert app.test_client().get("/moderate/login").status_code == 200
    assert BakeThread.running(app) is None and WebmentionVerifier.running(app) is None


def test_a_lease_outlasts_an_attempt_and_retries_double_up_to_the_cap() -> None:
    terms = LeaseTerms.outlasting(60, max_attempts=3, first_delay=30, max_delay=100)
    assert terms.length == timedelta(minutes=20)
    assert LeaseTerms.outlasting(5, 3, 30, 100).length == timedelta(minutes=10), "never shorter than ten minutes"
    assert [terms.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    assert not terms.exhausted(2) and terms.exhausted(3)
