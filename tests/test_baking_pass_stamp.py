"""Several server processes share one batch interval: a pass by any of them restarts it for all."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from comments_service.baking.pass_stamp import last_pass, stamp_pass
from comments_service.baking.worker import ThreadWorker

from .helpers import eventually

BATCH_SECONDS = 0.5


class _Baker:
    """A stand-in for BakeWorker that notes when its passes run and what another process did."""

    def __init__(self) -> None:
        self.passes: list[float] = []
        self.elsewhere: float | None = None

    def start(self) -> None:
        """Nothing was left half-written."""

    def run_pass(
        self, on_durable: Callable[[], object] | None = None, rest: Callable[[float], object] | None = None
    ) -> list[Path]:
        """Note the pass."""
        self.passes.append(time.monotonic())
        if on_durable is not None:
            on_durable()
        return []

    def last_pass(self) -> float | None:
        """When another process last baked the site."""
        return self.elsewhere


def test_a_pass_in_another_process_restarts_the_batch_interval() -> None:
    baker = _Baker()
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
