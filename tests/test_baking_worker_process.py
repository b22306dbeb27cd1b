"""A real `flask bake-worker` process killed mid-batch loses nothing: its restart finishes the queue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from comments_service.baking.trigger import site_of
from comments_service.store.bake_jobs import request_bake
from comments_service.store.database import database
from comments_service.store.models import BakeJob, Comment, State, Thread

from .baking_support import built_app, differences, fresh_build

POSTS = 120


@pytest.fixture
def many_posts_app(database_url: str, site_dir: Path) -> Iterator[Flask]:
    """The service over a site with POSTS more posts, built, with the in-process worker off."""
    for i in range(POSTS):
        (site_dir / "content" / f"extra-{i:03d}.md").write_text(
            f"Title: Extra {i}\nDate: 2010-01-01 {i % 24:02d}:{i % 60:02d}\nCategory: Extra\nTags: t{i % 7}\n"
            f"Slug: extra-{i:03d}\n\nPost {i}.\n",
            encoding="utf-8",
        )
    yield built_app(database_url, site_dir, BAKE_IN_PROCESS=False)


def _queued(url: str) -> int:
    with database(url).transaction() as session:
        return session.scalar(select(func.count()).select_from(BakeJob)) or 0


def _worker(app: Flask) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KILN_DATABASE_URL": app.config["DATABASE_URL"],
        "KILN_SITE_DIR": app.config["SITE_DIR"],
        "KILN_OUTPUT_PATH": app.config["OUTPUT_PATH"],
        "KILN_SECRET_KEY": "test-secret",
        "KILN_BAKE_POLL_SECONDS": "0.05",
    }
    flask = Path(sys.executable).with_name("flask")
    command = [str(flask), "--app", "comments_service", "bake-worker"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _baked(output: Path, slug: str) -> bool:
    return f"<p>Op {slug}</p>" in (output / f"{slug}.html").read_text(encoding="utf-8")


def _drafts(output: Path) -> list[Path]:
    return [p for p in output.rglob(".*") if p.name.endswith(".tmp")]


def test_a_worker_killed_mid_batch_is_finished_by_its_restart(many_posts_app: Flask, tmp_path: Path) -> None:
    app = many_posts_app
    url, output = app.config["DATABASE_URL"], site_of(app).output
    with database(url).transaction() as session:
        for thread in session.scalars(select(Thread).where(Thread.slug.like("extra-%")).order_by(Thread.slug)):
            session.add(
                Comment(thread=thread, author="Ans", body_html=f"<p>Op {thread.slug}</p>", state=State.APPROVED)
            )
            request_bake(session, thread.slug)
    assert _queued(url) == POSTS

    worker = _worker(app)
    deadline = time.monotonic() + 60
    while not _baked(output, "extra-000") and time.monotonic() < deadline:
        time.sleep(0.002)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    baked = sum(_baked(output, f"extra-{i:03d}") for i in range(POSTS))
    assert 0 < baked < POSTS, f"killed after {baked} of {POSTS} bakes: not in the middle of the batch"
    assert _queued(url) == POSTS, "a batch's jobs are removed only once all of it is on disk"

    restarted = _worker(app)
    try:
        deadline = time.monotonic() + 60
        while _queued(url) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _queued(url) == 0, restarted.stderr
    finally:
        restarted.terminate()
        restarted.wait(10)
    assert _drafts(output) == [], "the restart removed half-written drafts"
    assert differences(output, fresh_build(app, tmp_path / "fresh")) == []
    assert all(_baked(output, f"extra-{i:03d}") for i in range(POSTS))
