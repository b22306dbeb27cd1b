"""Closing threads: by hand from the UI, by metadata, and automatically N days after the post's date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from comments_service.baking.pass_bake import bake_posts
from comments_service.baking.trigger import site_of
from comments_service.blog.closing import past_auto_close
from comments_service.store.database import database
from comments_service.store.models import AuditEntry, Comment, Role

from .conftest import built_app
from .helpers import add_account, login, moderation_token

JSON = {"Accept": "application/json"}
FORM = {"author": "Piet", "body": "Nog open?"}
CLOSED = "Comments on this entry are closed."


def test_the_age_rule_at_its_edges() -> None:
    published = datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert past_auto_close(published, 30, published + timedelta(days=30))
    assert not past_auto_close(published, 30, published + timedelta(days=30, seconds=-1))
    assert not past_auto_close(published, 0, published + timedelta(days=10_000))
    assert not past_auto_close(None, 30, published)


def test_close_and_reopen_from_the_thread_view_and_the_queue(mod_client: FlaskClient, app: Flask, output: Path) -> None:
    token = moderation_token(mod_client)
    view = mod_client.get("/moderate/threads/open-post").get_data(as_text=True)
    assert 'action="/moderate/threads/open-post/close"' in view and "Open for comments." in view
    queue = mod_client.get("/moderate/?post=open-post").get_data(as_text=True)
    assert 'action="/moderate/threads/open-post/close"' in queue
    mod_client.post("/moderate/threads/open-post/close", data={"csrf_token": token})
    assert CLOSED in (output / "open-post.html").read_text(encoding="utf-8")
    view = mod_client.get("/moderate/threads/open-post").get_data(as_text=True)
    assert 'action="/moderate/threads/open-post/open"' in view and "Closed by a moderator." in view
    mod_client.post("/moderate/threads/open-post/open", data={"csrf_token": token})
    with database(app.config["DATABASE_URL"]).transaction() as session:
        log = [
            (e.action, e.thread_slug, e.username) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert log == [("close", "open-post", "mod"), ("open", "open-post", "mod")]


def test_a_thread_closed_by_metadata_says_so(mod_client: FlaskClient, output: Path) -> None:
    assert "Closed by the post's metadata" in mod_client.get("/moderate/threads/shut-post").get_data(as_text=True)
    assert CLOSED in (output / "shut-post.html").read_text("utf-8")
    assert mod_client.post("/comments/shut-post/", data=FORM, headers=JSON).status_code == 403


@pytest.fixture
def site_dir(site_dir: Path) -> Path:
    """The demo site plus a post dated today (left open by the age rule) and one closed by metadata."""
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    head = "Author: Rikkert Walbeek\nCategory: Sales\n"
    posts = {
        "fresh.md": f"Title: Vers\nDate: {today}\n{head}Slug: fresh-post\n\nNieuw.\n",
        "shut.md": f"Title: Dicht\nDate: {today}\n{head}Slug: shut-post\nComments: closed\n\nDicht.\n",
    }
    for name, text in posts.items():
        (site_dir / "content" / name).write_text(text, encoding="utf-8")
    return site_dir


@pytest.fixture
def aging_app(database_url: str, site_dir: Path) -> Iterator[Flask]:
    """The service with AUTO_CLOSE_DAYS=30, so the 2009 posts are closed and today's is open."""
    yield from built_app(database_url, site_dir, AUTO_CLOSE_DAYS=30)


def test_old_posts_close_automatically_in_the_build_and_the_service(aging_app: Flask) -> None:
    output = site_of(aging_app).output
    old, fresh = (output / "open-post.html").read_text("utf-8"), (output / "fresh-post.html").read_text("utf-8")
    assert CLOSED in old and 'action="/comments/open-post/"' not in old
    assert CLOSED not in fresh and 'action="/comments/fresh-post/"' in fresh
    client = aging_app.test_client()
    assert client.post("/comments/open-post/", data=FORM, headers=JSON).status_code == 403
    assert client.post("/comments/fresh-post/", data=FORM, headers=JSON).status_code == 202
    with database(aging_app.config["DATABASE_URL"]).transaction() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 1
    # A bake applies the same rule as the build: nothing in either page changes.
    assert bake_posts(site_of(aging_app), ["open-post", "fresh-post"]) == []


def test_reopening_by_hand_does_not_override_the_age_rule(aging_app: Flask) -> None:
    add_account(aging_app, "mod", Role.MODERATOR)
    client = aging_app.test_client()
    login(client, "mod")
    view = client.get("/moderate/threads/open-post").get_data(as_text=True)
    assert "Closed automatically 30 days after the post" in view
    client.post("/moderate/threads/open-post/open", data={"csrf_token": moderation_token(client)})
    assert CLOSED in (site_of(aging_app).output / "open-post.html").read_text("utf-8")
    assert client.post("/comments/open-post/", data=FORM, headers=JSON).status_code == 403
