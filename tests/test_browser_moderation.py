"""Headless Chromium against a live server: a reader posts and replies; a moderator approves, replies, closes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from comments_service import create_app
from comments_service.baking.pelican_site import full_build
from comments_service.baking.trigger import site_of
from comments_service.store.models import Role

from .browser_support import chromium_tab, serving
from .helpers import PASSWORD, add_account

pytestmark = pytest.mark.browser

CLOSED = "Comments on this entry are closed."


def _serve(database_url: str, site_dir: Path, **config: object) -> Iterator[str]:
    app: Flask = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-secret",
            "DATABASE_URL": database_url,
            "SITE_DIR": str(site_dir),
            "OUTPUT_PATH": str(site_dir / "output"),
            "SERVE_SITE": True,
            **config,
        }
    )
    full_build(site_of(app))
    add_account(app, "rikkert", Role.AUTHOR, display_name="Rikkert Walbeek")
    with serving(app) as url:
        yield url


@pytest.fixture
def live_server(database_url: str, site_dir: Path) -> Iterator[str]:
    """The service, serving the built site too, on a free port of 127.0.0.1."""
    yield from _serve(database_url, site_dir)


@pytest.fixture
def open_server(database_url: str, site_dir: Path) -> Iterator[str]:
    """The same, publishing readers' comments without moderation."""
    yield from _serve(database_url, site_dir, HOLD_FOR_MODERATION=False, FLOOD_SECONDS=0)


@pytest.fixture
def page() -> Iterator[Page]:
    """A fresh headless Chromium tab."""
    with chromium_tab() as tab:
        yield tab


def _post_through_form(page: Page, form: str, author: str, body: str) -> None:
    """Fill in and send one of the page's comment forms: "new", or the reply form under a comment's id."""
    page.fill(f"#author-{form}", author)
    page.fill(f"#body-{form}", body)
    page.locator("form.comment-form", has=page.locator(f"#body-{form}")).locator("button[type=submit]").first.click()


def test_a_moderator_approves_replies_and_closes_in_a_real_browser(page: Page, live_server: str) -> None:
    post = f"{live_server}/open-post.html"

    # A reader comments through the baked page's own form.
    page.goto(post)
    _post_through_form(page, "new", "Lezer Lotte", "Mooi **stuk**, dank je!")
    expect(page.locator(".comment-pending .kiln-notice")).to_be_visible()
    # Only its writer sees it: the post itself shows no comment yet.
    page.goto(post)
    expect(page.locator(".comment-list")).to_have_count(0)

    # The author logs in and lands on the queue, where the comment waits, rendered.
    page.goto(f"{live_server}/moderate/")
    page.fill("#username", "rikkert")
    page.fill("#password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    item = page.locator("li.queue-item").first
    expect(item.locator(".comment-body strong")).to_have_text("stuk")
    comment_id = (item.get_attribute("id") or "").removeprefix("queue-")
    assert comment_id.isdigit()

    item.locator("button.action-approve").click()
    expect(page.locator(".flash-success")).to_contain_text("Approved Lezer Lotte's comment on Open post.")
    page.goto(post)
    approved = page.locator(f"#comment-{comment_id}")
    expect(approved.locator(".comment-author")).to_have_text("Lezer Lotte")
    expect(approved.locator(".comment-body strong")).to_have_text("stuk")

    # The author replies from the thread view; the reply is published under the comment at once.
    page.goto(f"{live_server}/moderate/threads/open-post")
    entry = page.locator(f"#mod-{comment_id}")
    entry.locator("details.reply > summary").first.click()
    entry.locator(f"#reply-{comment_id}").fill("Graag gedaan, _Lotte_.")
    entry.locator("form.reply-form button[type=submit]").first.click()
    expect(page.locator(".flash-success")).to_contain_text("published")
    page.goto(post)
    reply = page.locator(f"#comment-{comment_id} > ol.children > li.bypostauthor")
    expect(reply.locator(".comment-author")).to_have_text("Rikkert Walbeek")
    expect(reply.locator(".author-badge")).to_be_visible()
    expect(reply.locator(".comment-body em")).to_have_text("Lotte")
    expect(page.locator(".comments-title")).to_contain_text("2 comments")

    # Closing the thread bakes the closed notice and takes every form off the page.
    page.goto(f"{live_server}/moderate/threads/open-post")
    page.click("button.thread-close")
    expect(page.locator(".thread-status")).to_contain_text("Closed by a moderator.")
    page.goto(post)
    expect(page.locator(".comments-closed")).to_have_text(CLOSED)
    expect(page.locator("form.comment-form")).to_have_count(0)
    expect(page.locator(f"#comment-{comment_id}")).to_be_visible()


def test_a_reader_lands_on_the_page_showing_the_comment_and_reply_just_posted(open_server: str) -> None:
    post = f"{open_server}/open-post.html"
    with chromium_tab(javascript=False) as page:
        page.goto(post)
        _post_through_form(page, "new", "Lezer Lotte", "Eerste **gedachte**.")
        # Sent to the comment, published at once, on its writer's view of the post.
        expect(page).to_have_url(re.compile(r"/comments/open-post/yours#comment-\d+$"))
        comment_id = page.url.rsplit("-", 1)[1]
        mine = page.locator(f"#comment-{comment_id}")
        expect(mine.locator(".comment-body strong")).to_have_text("gedachte")
        expect(mine.locator(".kiln-notice")).to_have_text("Your comment is published.")

        # Replying through the reply page, without JavaScript's help.
        mine.locator(".reply-link").click()
        expect(page.locator("#replying-to")).to_contain_text("Replying to Lezer Lotte")
        _post_through_form(page, "new", "Lezer Piet", "Helemaal mee eens.")
        expect(page).to_have_url(re.compile(r"#comment-\d+$"))
        reply_id = page.url.rsplit("-", 1)[1]
        assert reply_id != comment_id
        reply = page.locator(f"#comment-{comment_id} > ol.children > #comment-{reply_id}")
        expect(reply.locator(".comment-author")).to_have_text("Lezer Piet")
        expect(page.locator(".comments-title")).to_contain_text("2 comments")
        # The static page was baked before the answer came.
        page.goto(post)
        expect(page.locator(f"#comment-{comment_id} > ol.children > #comment-{reply_id}")).to_be_visible()
