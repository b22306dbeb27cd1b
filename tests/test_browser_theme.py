"""The theme in Chromium as readers meet it: narrow phones, dark mode, print, the keyboard."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from comments_service.baking.pelican_site import full_build
from comments_service.baking.trigger import site_of
from comments_service.baking.unit_of_work import UnitOfWork
from comments_service.demo import load_demo
from comments_service.store.database import database

from .browser_support import chromium_tab

pytestmark = pytest.mark.browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        """Keep the test's output clean."""


@pytest.fixture
def site_url(app: Flask) -> Iterator[str]:
    """The demo site with Zeker's comments, built and served as static files on 127.0.0.1."""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        load_demo(UnitOfWork(session))
    full_build(site_of(app))
    handler = functools.partial(_Quiet, directory=str(site_of(app).output))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page() -> Iterator[Page]:
    """A fresh headless Chromium tab."""
    with chromium_tab() as tab:
        yield tab


def _overflow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("width", [320, 390])
def test_pages_fit_a_phone_without_scrolling_sideways(page: Page, site_url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    for path in ("/zeker.html", "/open-post.html", "/index.html"):
        page.goto(site_url + path)
        assert _overflow(page) <= 0, f"{path} is wider than {width} px"


def test_dark_mode_and_print_follow_the_reader(page: Page, site_url: str) -> None:
    page.goto(site_url + "/open-post.html")
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(255, 253, 249)"
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(background) == "rgb(22, 24, 27)"
    page.emulate_media(media="print", color_scheme="light")
    assert page.locator("form.comment-form").first.is_hidden()
    page.goto(site_url + "/zeker.html")
    link = page.locator(".comment-body a[href^='http']").first
    after = link.evaluate("node => getComputedStyle(node, '::after').content")
    assert link.get_attribute("href") in after


def test_the_keyboard_starts_at_a_skip_link_to_the_content(page: Page, site_url: str) -> None:
    page.goto(site_url + "/zeker.html")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("node => node === document.activeElement")
    assert skip.bounding_box()["y"] >= 0, "the focused skip link is on screen"
    outline = skip.evaluate("node => getComputedStyle(node).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")


def test_the_error_page_ties_each_error_to_its_field_and_focuses_the_summary(page: Page, app: Flask) -> None:
    app.config["SERVE_SITE"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page.set_content(
            f'<form method="post" action="http://127.0.0.1:{server.server_port}/comments/open-post/">'
            '<input name="author" value=""><textarea name="body">Mooi stuk</textarea>'
            '<input name="website" value="niet een adres"><button>Post</button></form>'
        )
        page.click("button")
        summary = page.locator(".error-summary")
        assert summary.get_attribute("role") == "alert"
        expect(summary).to_be_focused()
        author = page.locator("#author-new")
        assert author.get_attribute("aria-invalid") == "true"
        assert page.locator("#" + (author.get_attribute("aria-describedby") or "")).inner_text() == "is required"
        assert page.locator("label[for=author-new]").inner_text() == "Name"
        assert page.locator("#body-new").input_value() == "Mooi stuk", "what was typed is kept"
        assert page.locator("#body-new").get_attribute("aria-invalid") is None
        back = page.locator("a", has_text="Back to Open post")
        assert (back.get_attribute("href") or "").endswith("/open-post.html")
    finally:
        server.shutdown()
        thread.join(timeout=10)
