"""gunicorn's worker start: the background workers start, and what the worker loaded is frozen out of collection."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

from comments_service.baking import trigger
from comments_service.linkbacks import worker as linkback_worker
from comments_service.notify import sender

REPO = Path(__file__).resolve().parent.parent


def test_a_started_worker_freezes_what_it_loaded_and_starts_its_background_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[str] = []
    for module, name in [(trigger, "start_worker"), (sender, "start_sender"), (linkback_worker, "start_verifier")]:
        monkeypatch.setattr(module, name, lambda _app, name=name: started.append(name))
    conf = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        conf["post_worker_init"](SimpleNamespace(wsgi=object()))
        assert started == ["start_worker", "start_sender", "start_verifier"]
        # Everything alive now, this test's own objects included, sits outside the collector.
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
