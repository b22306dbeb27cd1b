"""Several server processes share one batch interval: a pass by any of them restarts it for all."""

from __future__ import annotations

import time
from pathlib import Path

from comments_service.baking.pass_stamp import last_pass, stamp_pass
from comments_service.baking.trigger import BakeThread

from .baking_support import FakeBaker
from .helpers import eventually

BATCH_SECONDS = 0.5


def test_a_pass_in_another_process_restarts_the_batch_interval() -> None:
    baker = FakeBaker()
    worker = BakeThread(baker, poll_seconds=60, batch_seconds=BATCH_SECONDS)  # type: ignore[arg-type]
    worker.start()
    try:
        assert eventually(lambda: len(baker.passes) == 1)
        time.sleep(BATCH_SECONDS * 0.8)
        baker.elsewhere = time.monotonic()
        worker.wake(urgent=False)
        assert eventually(lambda: len(baker.passes) == 2)
        assert baker.passes[1] >= baker.elsewhere + BATCH_SECONDS * 0.95
        # A moderator's wake does not wait for anyone's interval.
        baker.elsewhere = time.monotonic()
        urgent = worker.wake(urgent=True)
        assert worker.wait(urgent, 10) and baker.passes[2] < baker.elsewhere + BATCH_SECONDS / 2
    finally:
        worker.stop()


def test_readers_comments_waiting_for_a_batch_do_not_wake_the_worker_one_by_one() -> None:
    baker = FakeBaker()
    worker = BakeThread(baker, poll_seconds=60, batch_seconds=4.0)  # type: ignore[arg-type]
    worker.start()
    try:
        assert eventually(lambda: len(baker.passes) == 1)
        time.sleep(0.1)
        looked = baker.looked
        tickets = []
        for _ in range(100):  # comments arriving over a second, each waking the worker
            tickets.append(worker.wake(urgent=False))
            time.sleep(0.01)
        # The first wake starts the batch interval; the other 99 change nothing, so the
        # worker (which shares the interpreter with the request threads) sleeps through them.
        assert baker.looked - looked <= 3 and len(baker.passes) == 1
        assert worker.wait(tickets[-1], 10) and len(baker.passes) == 2
    finally:
        worker.stop()


def test_the_stamp_tells_when_the_last_pass_finished(tmp_path: Path) -> None:
    output = tmp_path / "output"
    assert last_pass(output) is None
    before = time.monotonic()
    stamp_pass(output)
    stamped = last_pass(output)
    assert stamped is not None and before - 0.05 <= stamped <= time.monotonic() + 0.05
