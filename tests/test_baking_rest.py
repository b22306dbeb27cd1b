"""A pass over several posts rests between them, so the service's request threads keep the interpreter."""

from __future__ import annotations

from flask import Flask

from comments_service.baking.trigger import BakeThread, bake_worker, stop_worker
from comments_service.store.bake_jobs import request_bake
from comments_service.store.database import database

from .baking_support import FakeBaker
from .helpers import eventually

REST_SECONDS = 5.0


def test_a_wake_someone_waits_for_ends_the_rest_between_posts() -> None:
    baker = FakeBaker(posts=3, rest_seconds=REST_SECONDS)
    worker = BakeThread(baker, poll_seconds=600, batch_seconds=600)  # type: ignore[arg-type]
    worker.start()
    try:
        # The first pass rests in earnest: nobody waits for it.
        assert eventually(lambda: len(baker.rests) == 1, timeout=REST_SECONDS + 10)
        assert baker.rests[0] >= REST_SECONDS * 0.9
        # A moderator's wake cuts the rests short, this pass's and the next one's.
        ticket = worker.wake(urgent=True)
        assert worker.wait(ticket, REST_SECONDS)
        assert len(baker.rests) == 4 and all(took < REST_SECONDS / 2 for took in baker.rests[1:])
    finally:
        worker.stop(timeout=1)


def test_the_bake_worker_rests_between_the_posts_of_a_pass_with_the_time_each_took(app: Flask) -> None:
    stop_worker(app)
    with database(app.config["DATABASE_URL"]).transaction() as session:
        for slug in ("open-post", "luisteren", "zeker"):
            request_bake(session, slug)
    rests: list[float] = []
    bake_worker(app).run_pass(rest=rests.append)
    # Between posts only: the last one's files go to disk without waiting.
    assert len(rests) == 2 and all(0 < seconds < 5 for seconds in rests)
    # A pass over one post has nothing to rest between.
    with database(app.config["DATABASE_URL"]).transaction() as session:
        request_bake(session, "open-post")
    bake_worker(app).run_pass(rest=rests.append)
    assert len(rests) == 2
