"""Every screen a reader, a moderator and their mail see, in English, Dutch, German and French, in Chromium.

Each language forces the whole site's chrome (KILN["LANGUAGE"]) over the demo's Dutch posts. The
checks: no English message left in another language, plural forms for 0, 1, 2 and 22, and
dates written the language's way.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from comments_service import create_app
from comments_service.baking.pelican_site import full_build
from comments_service.baking.trigger import site_of, stop_worker
from comments_service.baking.unit_of_work import UnitOfWork
from comments_service.demo import load_demo
from comments_service.extensions import limiter
from comments_service.language.catalogs import CATALOG_DIR, DOMAIN
from comments_service.store.database import database
from comments_service.store.models import Role

from .browser_support import chromium_tab
from .helpers import PASSWORD, login, moderation_token
from .mail.conftest import SmtpServer, free_port, mail_settings
from .mail.helpers import add_account as add_mail_account
from .mail.helpers import body, send

pytestmark = pytest.mark.browser

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
MODERATOR_EMAIL = "rikkert@example.org"


class Expected(NamedTuple):
    """What a language writes for the numbers and dates the test looks at."""

    none: str
    one: str
    two: str
    many: str
    zeker_date: str
    first_comment: str
    awaiting_one: str


EXPECTED = {
    "en": Expected(
        "No comments",
        "{ 1 comment }",
        "2 comments",
        "{ 22 comments }",
        "May 22, 2009",
        "May 22, 2009 at 3:40\u202fPM",
        "1 comment awaiting moderation",
    ),
    "nl": Expected(
        "Geen reacties",
        "{ 1 reactie }",
        "2 reacties",
        "{ 22 reacties }",
        "22 mei 2009",
        "22 mei 2009 om 15:40",
        "1 reactie wacht op moderatie",
    ),
    "de": Expected(
        "Keine Kommentare",
        "{ 1 Kommentar }",
        "2 Kommentare",
        "{ 22 Kommentare }",
        "22. Mai 2009",
        "22. Mai 2009 um 15:40",
        "1 Kommentar wartet auf Freigabe",
    ),
    "fr": Expected(
        "Aucun commentaire",
        "{ 1 commentaire }",
        "2 commentaires",
        "{ 22 commentaires }",
        "22 mai 2009",
        "22 mai 2009 à 15:40",
        "1 commentaire en attente de modération",
    ),
}


def _english_pieces(language: str) -> list[str]:
    """Return the English text of every message whose translation into language reads differently."""
    with (CATALOG_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as file:
        catalog = read_po(file, locale=language)
    pieces = set()
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = " ".join(message.string if isinstance(message.string, tuple) else (message.string,))
        for text in english:
            for piece in PLACEHOLDER.split(text)[::2]:
                piece = piece.strip(" .,:;!?()[]{}·…—-–\n")
                # A word the language shares with English ("Website", "Name") is no sign of English left.
                if re.search(r"[A-Za-z]{3}", piece) and piece not in translated:
                    pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)


def _assert_no_english(text: str, pieces: list[str], where: str) -> None:
    # Addresses are not words ("open-post.html").
    text = re.sub(r"https?://\S+", " ", text)
    left = [piece for piece in pieces if re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text)]
    assert not left, f"{where}: English left: {left}"


@pytest.fixture(params=list(EXPECTED))
def language(request: pytest.FixtureRequest) -> str:
    """One of the languages the whole site is forced into."""
    return str(request.param)


@pytest.fixture
def chrome_language(language: str) -> str:
    """The test site's chrome is forced into the language under test."""
    return language


@pytest.fixture
def page() -> Iterator[Page]:
    """A fresh headless Chromium tab."""
    with chromium_tab() as tab:
        yield tab


@pytest.fixture
def site(language: str, sqlite_url: str, site_dir: Path, smtp_server: SmtpServer) -> Iterator[tuple[Flask, str]]:
    """The demo (Zeker and friends) with its chrome forced into language, served on 127.0.0.1 with mail on."""
    # The open post in Dutch like the rest, so what English is on a page can only be Kiln's.
    (site_dir / "content" / "open-post.md").write_text(
        "Title: Open bericht\nDate: 2009-07-01 09:00\nAuthor: Rikkert Walbeek\nSlug: open-post\n\n"
        "Een bericht waarop je nog kunt reageren.\n",
        encoding="utf-8",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "languages-secret",
            "DATABASE_URL": sqlite_url,
            "SITE_DIR": str(site_dir),
            "OUTPUT_PATH": str(site_dir / "output"),
            "SERVE_SITE": True,
            "FLOOD_SECONDS": 0,
            **mail_settings(smtp_server.port),
            # The mail's and the redirects' links lead back to this server.
            "SITE_URL": base,
        }
    )
    with database(sqlite_url).transaction() as session:
        load_demo(UnitOfWork(session))
    full_build(site_of(app))
    add_mail_account(app, "rikkert", MODERATOR_EMAIL, role=Role.MODERATOR)
    _two_approved_comments(app, "luisteren")
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, base
    server.shutdown()
    thread.join(timeout=10)
    stop_worker(app)
    limiter.reset()


def _two_approved_comments(app: Flask, slug: str) -> None:
    client = app.test_client()
    login(client, "rikkert")
    token = moderation_token(client)
    for number in (1, 2):
        answer = client.post(
            f"/comments/{slug}/",
            data={"author": f"Lezer {number}", "body": f"Reactie {number}"},
            headers={"Accept": "application/json"},
        )
        assert answer.status_code == 202, answer.get_data(as_text=True)
        approved = client.post(f"/moderate/comments/{answer.get_json()['id']}/approve", data={"csrf_token": token})
        assert approved.status_code == 303


# What people wrote: the posts and comments are Dutch, and may hold an English word ("blog post").
CONTENT = ".entry-content, .summary, .comment-body, .trackback-excerpt, .comment-author, .trackback"


def _text(page: Page) -> str:
    """Return the page's text (hidden parts too) without what its authors and commenters wrote."""
    return str(
        page.evaluate(
            "selector => { const copy = document.body.cloneNode(true);"
            " copy.querySelectorAll(selector).forEach(node => node.remove()); return copy.textContent; }",
            CONTENT,
        )
    )


def test_every_screen_speaks_the_language(
    language: str,
    site: tuple[Flask, str],
    page: Page,
    smtp_server: SmtpServer,
) -> None:
    app, base = site
    expected = EXPECTED[language]
    english = _english_pieces(language) if language != "en" else []

    # The index: counts for 0, 2 and 22 comments.
    page.goto(f"{base}/index.html")
    expect(page.locator("a.comment-count[href$='zeker.html#comments']")).to_have_text(expected.many.strip("{ }"))
    expect(page.locator("a.comment-count[href$='luisteren.html#comments']")).to_have_text(expected.two)
    expect(page.locator("a.comment-count[href$='koude-acquisitie.html#comments']")).to_have_text(expected.none)
    _assert_no_english(_text(page), english, "index")

    # The Zeker page: Dutch content, chrome in the language, closed, 22 comments and one trackback.
    page.goto(f"{base}/zeker.html")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h2.comments-title")).to_have_text(expected.many)
    expect(page.locator("p.byline time")).to_have_text(expected.zeker_date)
    expect(page.locator("li.comment time").first).to_have_text(expected.first_comment)
    if language != "nl":
        expect(page.locator("section#comments")).to_have_attribute("lang", language)
        expect(page.locator("footer.site-footer")).to_have_attribute("lang", language)
    _assert_no_english(_text(page), english, "zeker.html")

    # An open post with its form; a comment sent without a name gets the error page.
    page.goto(f"{base}/open-post.html")
    _assert_no_english(_text(page), english, "open-post.html")
    page.evaluate("document.querySelector('#respond form').noValidate = true")
    page.fill("#body-new", "Zonder naam")
    page.locator("#respond button[type=submit]:not([name=preview])").click()
    # The error page is the post's own page: its content Dutch, the form's region in the chrome's language.
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    if language != "nl":
        expect(page.locator("#comments")).to_have_attribute("lang", language)
    expect(page.locator(".error-summary")).to_be_visible()
    _assert_no_english(_text(page), english, "the submission's error page")

    # A good comment: shown in place to its writer, with the awaiting-moderation notice.
    page.goto(f"{base}/open-post.html")
    page.fill("#author-new", "Lezer Lotte")
    page.fill("#body-new", "Mooi **stuk**, dank je!")
    page.locator("#respond button[type=submit]:not([name=preview])").click()
    notice = page.locator(".comment-pending .kiln-notice")
    expect(notice).to_be_visible()
    _assert_no_english(notice.inner_text(), english, "the awaiting-moderation notice")

    # The moderation mail, in the moderator's language (the site's, forced).
    # (The two comments on Luisteren were announced too.)
    assert send(app).sent == 3
    [mail] = [m for m in smtp_server.recorder.wait_for(3) if "Lezer Lotte" in m.message["Subject"]]
    _assert_no_english(f"{mail.message['Subject']}\n{body(mail)}", english, "the moderation mail")
    # Written just now: today's date, the language's way, in the site's time zone.
    today = format_date(datetime.now(ZoneInfo("Europe/Amsterdam")), "long", locale=language)
    assert today in body(mail), body(mail)

    # The moderation queue: one comment waiting; approving it publishes "{ 1 comment }".
    page.goto(f"{base}/moderate/login")
    page.fill("#username", "rikkert")
    page.fill("#password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("li.queue-item")).to_have_count(1)
    expect(page.locator("p.awaiting")).to_have_text(expected.awaiting_one)
    _assert_no_english(_text(page), english, "the moderation queue")
    page.locator("li.queue-item button.action-approve").first.click()
    expect(page.locator(".flash-success")).to_be_visible()
    _assert_no_english(_text(page), english, "the queue after approving")
    page.goto(f"{base}/open-post.html")
    expect(page.locator("h2.comments-title")).to_have_text(expected.one)


def test_the_english_check_finds_english_text() -> None:
    pieces = _english_pieces("nl")
    assert "Leave a comment" in pieces and "Post comment" in pieces
    # A word Dutch shares with English is no evidence.
    assert "Website" not in pieces
    with pytest.raises(AssertionError, match="Leave a comment"):
        _assert_no_english("Reacties\nLeave a comment\n", pieces, "a page")
    _assert_no_english("Laat een reactie achter: https://example.org/leave-a-comment.html", pieces, "a page")
