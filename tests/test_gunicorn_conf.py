"""gunicorn's worker start: the background workers start, and what the worker loaded is frozen out of collection."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

from comments_service.background import start

REPO = Path(__file__).resolve().parent.parent


def test_a_started_worker_freezes_what_it_loaded_and_starts_its_background_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[object] = []
    monkeypatch.setattr(start, "start_workers", started.append)
    conf = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        app = object()
        conf["post_worker_init"](SimpleNamespace(wsgi=app))
        assert started == [app]
        # Everything alive now, this test's own objects included, sits outside the collector.
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
