"""The reader's journey in Chromium, with the script and without: post, reply, preview, edit, delete, errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import update

from comments_service import create_app
from comments_service.baking.pelican_site import full_build
from comments_service.baking.trigger import site_of
from comments_service.baking.unit_of_work import UnitOfWork
from comments_service.demo import load_demo
from comments_service.store.database import database
from comments_service.store.models import Comment, State, Thread, utcnow

from .browser_support import axe_violations, chromium_tab, serving

pytestmark = pytest.mark.browser

AWAITING = "Your comment is awaiting moderation."


class Live:
    """The service serving the demo site on 127.0.0.1, and its app for a look into the store."""

    def __init__(self, app: Flask, url: str) -> None:
        self.app = app
        self.url = url

    def comment(self, body: str) -> Comment:
        """Return the stored comment with this text."""
        with database(self.app.config["DATABASE_URL"]).transaction() as session:
            found = session.query(Comment).filter(Comment.body_source == body).one()
            session.expunge(found)
            return found

    def change(self, comment_id: int, **values: object) -> None:
        """Change a stored comment behind the service's back (as time or another reader would)."""
        with database(self.app.config["DATABASE_URL"]).transaction() as session:
            comment = session.get(Comment, comment_id)
            for name, value in values.items():
                setattr(comment, name, value)


def _serve(database_url: str, site_dir: Path, **config: object) -> Iterator[Live]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "reader-secret",
            "DATABASE_URL": database_url,
            "SITE_DIR": str(site_dir),
            "OUTPUT_PATH": str(site_dir / "output"),
            "SERVE_SITE": True,
            "FLOOD_SECONDS": 0,
            **config,
        }
    )
    with database(database_url).transaction() as session:
        load_demo(UnitOfWork(session))
        # The seed's thread is closed; these tests reply to its comments.
        session.execute(update(Thread).where(Thread.slug == "zeker").values(closed=False))
    full_build(site_of(app))
    with serving(app) as url:
        yield Live(app, url)


@pytest.fixture
def live(database_url: str, site_dir: Path) -> Iterator[Live]:
    """The demo blog and its service on a free port of 127.0.0.1."""
    yield from _serve(database_url, site_dir)


@pytest.fixture(params=[True, False], ids=["script", "no-script"])
def javascript(request: pytest.FixtureRequest) -> bool:
    """Each journey runs with the script and without it."""
    return bool(request.param)


@pytest.fixture
def page(javascript: bool) -> Iterator[Page]:
    """A fresh headless Chromium tab, its script switched on or off."""
    with chromium_tab(javascript=javascript) as tab:
        yield tab


@contextmanager
def stranger(page: Page, javascript: bool) -> Iterator[Page]:
    """Open a tab in the same Chromium with cookies of its own: another reader."""
    browser = page.context.browser
    assert browser is not None
    other = browser.new_page(java_script_enabled=javascript)
    other.set_default_timeout(15_000)
    yield other
    other.context.close()


def _fill(page: Page, author: str, body: str) -> None:
    page.fill("#author-new", author)
    page.fill("#body-new", body)


def _post(page: Page) -> None:
    page.click("#comment-form button[type=submit]:not(.secondary)")


def test_posting_shows_your_pending_comment_in_place_and_nowhere_else(live: Live, page: Page, javascript: bool) -> None:
    page.goto(live.url + "/open-post.html")
    _fill(page, "Lezer", "Mijn **eerste** reactie")
    _post(page)
    comment = page.locator(".comment-pending")
    expect(comment).to_contain_text(AWAITING)
    expect(comment.locator(".comment-body strong")).to_have_text("eerste")
    stored = live.comment("Mijn **eerste** reactie")
    assert comment.get_attribute("id") == f"comment-{stored.id}"
    # With the script the page never changed; without it the browser landed on the writer's own page.
    assert page.url.endswith("/open-post.html") if javascript else page.url.endswith(f"/yours#comment-{stored.id}")
    if javascript:
        expect(page.locator(".comment-pending .kiln-notice")).to_be_focused()
    # The writer's page comes with a strict Content-Security-Policy, under which the theme's script still runs.
    violations: list[str] = []
    page.on("console", lambda message: violations.extend([message.text] if "Content Security" in message.text else []))
    page.goto(live.url + "/comments/open-post/yours")
    expect(page.locator(".remember")).to_be_visible() if javascript else expect(
        page.locator(".remember")
    ).to_be_hidden()
    assert violations == []
    # Nobody else sees it, or any notice: not on the post, not through the writer's link.
    with stranger(page, javascript) as other:
        for path in ("/open-post.html", "/open-post.html#kiln-pending", "/comments/open-post/yours"):
            other.goto(live.url + path)
            expect(other.locator("body")).not_to_contain_text("eerste")
            expect(other.locator("body")).not_to_contain_text("awaiting moderation")


def test_replying_under_the_comment_answered(live: Live, page: Page, javascript: bool) -> None:
    page.goto(live.url + "/zeker.html")
    parent = page.locator(".comment", has=page.locator(".comment-author", has_text="Martijn Aslander")).first
    parent_id = parent.get_attribute("id")
    parent.locator(".reply-link").first.click()
    replying = page.locator("#replying-to")
    expect(replying).to_be_visible()
    expect(replying).to_contain_text("Replying to Martijn Aslander")
    if javascript:
        # The form moved under the comment; Cancel takes it back, and focus back to the link.
        expect(page.locator(f"#{parent_id} > article #comment-form")).to_be_visible()
        expect(page.locator("#body-new")).to_be_focused()
        page.click(".cancel-reply")
        expect(replying).to_be_hidden()
        expect(page.locator("#respond #comment-form")).to_be_visible()
        parent.locator(".reply-link").first.click()
    _fill(page, "Antwoorder", "Daar ben ik het mee eens")
    _post(page)
    reply = page.locator(f"#{parent_id} .children .comment-pending")
    expect(reply).to_contain_text("Daar ben ik het mee eens")
    assert live.comment("Daar ben ik het mee eens").parent_id == int(str(parent_id).removeprefix("comment-"))


def test_previewing_shows_the_comment_as_it_will_be_stored(live: Live, page: Page, javascript: bool) -> None:
    page.goto(live.url + "/open-post.html")
    _fill(page, "Lezer", "Dit is **vet** <script>window.hacked = 1</script>")
    if javascript:
        live_preview = page.locator(".live-preview")
        expect(live_preview.locator("strong")).to_have_text("vet")
    else:
        page.click("button[name=preview]")
        expect(page).to_have_title(re.compile("^Preview: Open post"))
        expect(page.locator(".comment-preview strong")).to_have_text("vet")
        expect(page.locator("#body-new")).to_have_value("Dit is **vet** <script>window.hacked = 1</script>")
    assert page.locator("#comments script").count() == 0
    _post(page)
    expect(page.locator(".comment-pending .comment-body strong")).to_have_text("vet")


def test_editing_within_the_window_then_refused_after_it_or_after_a_reply(
    live: Live, page: Page, javascript: bool
) -> None:
    page.goto(live.url + "/open-post.html")
    _fill(page, "Lezer", "Met een tikfout")
    _post(page)
    page.get_by_role("link", name="Edit or delete your comment").click()
    expect(page).to_have_title(re.compile("^Edit: "))
    page.fill("#body-new", "Zonder tikfout")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".comment-pending .comment-body")).to_have_text("Zonder tikfout")
    stored = live.comment("Zonder tikfout")
    # After a reply: the link is gone, and the page says why.
    live.change(stored.id, state=State.APPROVED)
    with stranger(page, javascript) as other:
        other.goto(live.url + f"/comments/open-post/reply/{stored.id}")
        _fill(other, "Ander", "Een antwoord")
        _post(other)
        expect(other.locator(".comment-pending")).to_be_visible()
    page.goto(live.url + "/comments/open-post/yours")
    expect(page.locator(f"#comment-{stored.id}")).to_contain_text("Your comment is published.")
    expect(page.locator(".own-actions")).to_have_count(0)
    page.goto(live.url + f"/comments/open-post/{stored.id}/edit")
    expect(page.locator(".error-summary")).to_contain_text("Someone has replied to this comment")
    # After the window: likewise.
    page.goto(live.url + "/open-post.html")
    _fill(page, "Lezer", "Nog een")
    _post(page)
    expect(page.locator(".comment-pending").last).to_contain_text("Nog een")
    late = live.comment("Nog een")
    live.change(late.id, created=utcnow() - timedelta(minutes=16))
    page.goto(live.url + "/comments/open-post/yours")
    expect(page.locator(f"#comment-{late.id}")).to_contain_text(AWAITING)
    expect(page.locator(f"#comment-{late.id} .own-actions")).to_have_count(0)
    page.goto(live.url + f"/comments/open-post/{late.id}/edit")
    expect(page.locator(".error-summary")).to_contain_text("The time to change this comment is over.")


def test_deleting_your_comment(live: Live, page: Page) -> None:
    page.goto(live.url + "/open-post.html")
    _fill(page, "Lezer", "Toch maar niet")
    _post(page)
    page.get_by_role("link", name="Edit or delete your comment").click()
    page.get_by_role("button", name="Delete your comment").click()
    expect(page.locator(".kiln-notice")).to_contain_text("Your comment was deleted.")
    assert live.comment("Toch maar niet").state == State.DELETED
    page.goto(live.url + "/comments/open-post/yours")
    expect(page.locator("body")).not_to_contain_text("Toch maar niet")


@pytest.fixture
def strict(database_url: str, site_dir: Path) -> Iterator[Live]:
    """The demo with a strict limit (two posts a minute) and a short maximum length."""
    yield from _serve(database_url, site_dir, SUBMIT_RATE_LIMIT="2 per minute", BODY_MAX=40)


def test_errors_and_too_fast_keep_the_text_and_say_what_to_do(strict: Live, page: Page) -> None:
    page.goto(strict.url + "/open-post.html")
    long_text = "Een veel te lange reactie die niet past in veertig tekens"
    _fill(page, "Lezer", long_text)
    _post(page)
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Comment must be at most 40 characters")
    expect(summary).to_be_focused()
    expect(page.locator("#body-new")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#body-new")).to_have_value(long_text)
    page.fill("#body-new", "Kort genoeg")
    _post(page)
    expect(page.locator(".comment-pending")).to_contain_text("Kort genoeg")
    page.goto(strict.url + "/open-post.html")
    _fill(page, "Lezer", "Nog eentje")
    _post(page)
    expect(page.locator(".error-summary")).to_contain_text(re.compile(r"try again in \d+ seconds"))
    expect(page.locator("#body-new")).to_have_value("Nog eentje")
    expect(page.locator("body")).not_to_contain_text("awaiting moderation")
    page.go_back()
    expect(page.locator("body")).not_to_contain_text("awaiting moderation")


def test_a_link_into_a_folded_thread_opens_it(database_url: str, site_dir: Path, javascript: bool) -> None:
    with (site_dir / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nKILN["COLLAPSE_AFTER"] = 3\n')
    for live in _serve(database_url, site_dir):
        with chromium_tab(javascript=javascript) as page:
            page.goto(live.url + "/zeker.html")
            folded = page.locator("#more-comments .comment").last
            expect(folded).to_be_hidden()
            page.goto(live.url + f"/zeker.html#{folded.get_attribute('id')}")
            expect(folded).to_be_visible()
            assert page.locator("#more-comments").get_attribute("open") is not None


READER_PAGES = {
    "post": "/zeker.html",
    "reply": "/comments/zeker/reply/{parent}",
    "yours": "/comments/zeker/yours",
    "edit": "/comments/zeker/{own}/edit",
    "error": None,
    "preview": None,
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_every_reader_page_passes_axe(live: Live, width: int, scheme: str) -> None:
    with chromium_tab(bypass_csp=True) as page:
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        page.goto(live.url + "/zeker.html")
        checked = {"post": axe_violations(page)}
        parent = str(page.locator(".reply-link").first.get_attribute("data-reply"))
        page.goto(live.url + f"/comments/zeker/reply/{parent}")
        checked["reply"] = axe_violations(page)
        page.fill("#body-new", "Een **voorbeeld**")
        page.click("button[name=preview]")
        checked["preview"] = axe_violations(page)
        page.fill("#author-new", "")
        page.evaluate("document.getElementById('author-new').removeAttribute('required')")
        page.click("#comment-form button[type=submit]:not(.secondary)")
        expect(page.locator(".error-summary")).to_be_visible()
        checked["error"] = axe_violations(page)
        page.fill("#author-new", "Lezer")
        page.click("#comment-form button[type=submit]:not(.secondary)")
        expect(page.locator(".comment-pending")).to_be_visible()
        checked["yours"] = axe_violations(page)
        page.get_by_role("link", name="Edit or delete your comment").click()
        checked["edit"] = axe_violations(page)
        page.get_by_role("button", name="Delete your comment").click()
        checked["deleted"] = axe_violations(page)
        assert {name: found for name, found in checked.items() if found} == {}


def test_a_keyboard_alone_posts_a_reply(live: Live) -> None:
    with chromium_tab() as page:
        page.goto(live.url + "/zeker.html")

        def tab_to(selector: str, limit: int = 400, key: str = "Tab") -> None:
            for _ in range(limit):
                page.keyboard.press(key)
                if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                    return
            raise AssertionError(f"Tab never reached {selector}")

        tab_to(".reply-link")
        page.keyboard.press("Enter")
        expect(page.locator("#body-new")).to_be_focused()
        page.keyboard.type("Met alleen het toetsenbord")
        tab_to("#author-new", 10, key="Shift+Tab")
        page.keyboard.type("Toetsenbord")
        tab_to("#comment-form button[type=submit]", 10)
        page.keyboard.press("Enter")
        note = page.locator(".comment-pending .kiln-notice")
        expect(note).to_be_focused()
        assert live.comment("Met alleen het toetsenbord").parent_id is not None


def test_a_post_page_asks_for_one_stylesheet_and_one_script(live: Live) -> None:
    with chromium_tab() as page:
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.resource_type))
        page.goto(live.url + "/zeker.html")
        page.wait_for_load_state("networkidle")
        assert (asked.count("stylesheet"), asked.count("script")) == (1, 1), asked
        assert "fetch" not in asked and "xhr" not in asked, "nothing more until the reader types"


def test_remember_me_keeps_name_email_and_website_in_this_browser_only(live: Live) -> None:
    with chromium_tab() as page:
        page.goto(live.url + "/open-post.html")
        _fill(page, "Lezer", "Onthoud mij")
        page.fill("#email-new", "lezer@example.org")
        page.check("#remember-new")
        _post(page)
        expect(page.locator(".comment-pending")).to_be_visible()
        page.goto(live.url + "/zeker.html")
        expect(page.locator("#author-new")).to_have_value("Lezer")
        expect(page.locator("#email-new")).to_have_value("lezer@example.org")
        expect(page.locator("#remember-new")).to_be_checked()
        # Unticked, the next comment forgets them.
        page.uncheck("#remember-new")
        page.fill("#body-new", "Vergeet mij")
        _post(page)
        expect(page.locator(".comment-pending")).to_be_visible()
        page.goto(live.url + "/open-post.html")
        expect(page.locator("#author-new")).to_have_value("")
        expect(page.locator("#remember-new")).not_to_be_checked()
