"""A pass over several posts rests between them, so the service's request threads keep the interpreter."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from comments_service.baking.requests import request_bake
from comments_service.baking.trigger import bake_worker, stop_worker
from comments_service.baking.worker import ThreadWorker
from comments_service.db import session_scope

from .helpers import eventually

REST_SECONDS = 5.0


class _Baker:
    """A stand-in for BakeWorker whose every pass bakes three posts, resting after each."""

    def __init__(self) -> None:
        self.rests: list[tuple[float, float]] = []

    def start(self) -> None:
        """Nothing was left half-written."""

    def run_pass(
        self, on_durable: Callable[[], object] | None = None, rest: Callable[[float], object] | None = None
    ) -> list[Path]:
        """Rest REST_SECONDS after each of three posts, noting how long each rest lasted."""
        for _post in range(3):
            began = time.monotonic()
            if rest is not None:
                rest(REST_SECONDS)
            self.rests.append((began, time.monotonic() - began))
        if on_durable is not None:
            on_durable()
        return []

    def last_pass(self) -> float | None:
        """No other process bakes here."""
        return None


def test_a_wake_someone_waits_for_ends_the_rest_between_posts() -> None:
    baker = _Baker()
    worker = ThreadWorker(baker, poll_seconds=600, batch_seconds=600)  # type: ignore[arg-type]
    worker.start()
    try:
        # The first pass rests in earnest: nobody waits for it.
        assert eventually(lambda: len(baker.rests) == 1, timeout=REST_SECONDS + 10)
        assert baker.rests[0][1] >= REST_SECONDS * 0.9
        # A moderator's wake cuts the rests short, this pass's and the next one's.
        ticket = worker.wake(urgent=True)
        assert worker.wait(ticket, REST_SECONDS)
        assert all(took < REST_SECONDS / 2 for _began, took in baker.rests[2:])
    finally:
        worker.stop(timeout=1)


def test_the_bake_worker_rests_between_the_posts_of_a_pass_with_the_time_each_took(app: Flask) -> None:
    stop_worker(app)
    with session_scope(app.config["DATABASE_URL"]) as session:
        for slug in ("open-post", "luisteren", "zeker"):
            request_bake(session, slug)
    rests: list[float] = []
    bake_worker(app).run_pass(rest=rests.append)
    # Between posts only: the last one's files go to disk without waiting.
    assert len(rests) == 2 and all(0 < seconds < 5 for seconds in rests)
    # A pass over one post has nothing to rest between.
    with session_scope(app.config["DATABASE_URL"]) as session:
        request_bake(session, "open-post")
    bake_worker(app).run_pass(rest=rests.append)
    assert len(rests) == 2
