"""Several server processes share one batch interval: a pass by any of them restarts it for all."""

from __future__ import annotations

import time
from pathlib import Path

from comments_service.baking.pass_stamp import last_pass, stamp_pass
from comments_service.baking.worker import ThreadWorker

from .baking_support import FakeBaker
from .helpers import eventually

BATCH_SECONDS = 0.5


def test_a_pass_in_another_process_restarts_the_batch_interval() -> None:
    baker = FakeBaker()
    worker = ThreadWorker(baker, poll_seconds=60, batch_seconds=BATCH_SECONDS)  # type: ignore[arg-type]
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


def test_the_stamp_tells_when_the_last_pass_finished(tmp_path: Path) -> None:
    output = tmp_path / "output"
    assert last_pass(output) is None
    before = time.monotonic()
    stamp_pass(output)
    stamped = last_pass(output)
    assert stamped is not None and before - 0.05 <= stamped <= time.monotonic() + 0.05
