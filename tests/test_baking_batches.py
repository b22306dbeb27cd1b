"""Reader comments published without moderation are baked in batches; a moderator never waits for one."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments_service.baking.trigger import start_worker

from .conftest import built_app
from .helpers import eventually_in, moderation_token

# Far longer than any step of a test: no batch can come due by itself while one runs.
LONG_BATCH_SECONDS = 600.0
SHORT_BATCH_SECONDS = 1.0
JSON = {"Accept": "application/json"}


def _unmoderated(database_url: str, site_dir: Path, batch_seconds: float) -> Iterator[Flask]:
    yield from built_app(
        database_url, site_dir, FLOOD_SECONDS=0, HOLD_FOR_MODERATION=False, BAKE_BATCH_SECONDS=batch_seconds
    )


@pytest.fixture
def app(database_url: str, site_dir: Path) -> Iterator[Flask]:
    """The service publishing reader comments at once, baking them at most every LONG_BATCH_SECONDS."""
    yield from _unmoderated(database_url, site_dir, LONG_BATCH_SECONDS)


@pytest.fixture
def quick_app(database_url: str, site_dir: Path) -> Iterator[Flask]:
    """The same, baking them at most every SHORT_BATCH_SECONDS."""
    yield from _unmoderated(database_url, site_dir, SHORT_BATCH_SECONDS)


def _publish(client: FlaskClient, body: str) -> int:
    response = client.post("/comments/open-post/", data={"author": "Lezer", "body": body}, headers=JSON)
    assert response.status_code == 201
    return int(response.get_json()["id"])


def test_comments_arriving_together_share_a_bake_and_a_moderator_action_is_baked_at_once(
    app: Flask, mod_client: FlaskClient, site_dir: Path
) -> None:
    page = site_dir / "output" / "open-post.html"
    first = _publish(mod_client, "De eerste")
    # A pass someone waits for starts at once: the first comment is baked, and the interval starts.
    worker = start_worker(app)
    assert worker is not None and worker.wait(worker.wake(), 10)
    assert f'id="comment-{first}"' in page.read_text(encoding="utf-8")

    later = [_publish(mod_client, f"Nummer {n}") for n in range(2, 5)]
    time.sleep(0.3)
    html = page.read_text(encoding="utf-8")
    assert not any(f'id="comment-{c}"' in html for c in later), "the next batch waits for the interval"

    # Closing waits for its own bake, which bakes the thread as stored: the batch comes along.
    token = moderation_token(mod_client)
    assert mod_client.post("/moderate/threads/open-post/close", data={"csrf_token": token}).status_code == 303
    html = page.read_text(encoding="utf-8")
    assert all(f'id="comment-{c}"' in html for c in later)
    assert "Comments on this entry are closed." in html


def test_a_batch_lands_by_itself_when_nothing_else_happens(quick_app: Flask, site_dir: Path) -> None:
    page = site_dir / "output" / "open-post.html"
    client = quick_app.test_client()
    ids = [_publish(client, f"Reactie {n}") for n in range(3)]
    assert eventually_in(page, f'id="comment-{ids[-1]}"', timeout=SHORT_BATCH_SECONDS + 10)
    html = page.read_text(encoding="utf-8")
    assert all(f'id="comment-{c}"' in html for c in ids)


def test_a_browser_lands_on_a_page_that_shows_its_published_comment(quick_app: Flask, site_dir: Path) -> None:
    page = site_dir / "output" / "open-post.html"
    client = quick_app.test_client()
    for n in range(3):
        # One after another: all but the first arrive while a batch interval runs.
        response = client.post("/comments/open-post/", data={"author": "Lezer", "body": f"Gewoon {n}"})
        assert response.status_code == 303
        anchor = response.headers["Location"].rsplit("#", 1)[1]
        assert anchor.startswith("comment-")
        assert f'id="{anchor}"' in page.read_text(encoding="utf-8"), "the page was baked before the redirect"
