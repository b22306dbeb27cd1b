"""Readers hear their post's language, mail speaks its recipient's, verdict reasons are stored language-neutral."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from comments_service.baking.pelican_site import full_build
from comments_service.baking.trigger import site_of
from comments_service.language import catalogs
from comments_service.language.speaking import speaking
from comments_service.spam.pipeline import Judgement
from comments_service.spam.reasons import STORED_MAX, Reason, reason_text, store_reasons
from comments_service.spam.verdict import Action, Verdict
from comments_service.store.database import database
from comments_service.store.models import Comment, OutboxMessage, State, Thread, User

from .helpers import moderation_token
from .mail.conftest import SmtpServer, mail_settings
from .mail.helpers import add_account, body, outbox, send, submit

FORM = {"author": "Anna de Vries", "email": "anna@example.nl", "body": "Mooi stuk!"}
JSON = {"Accept": "application/json"}
SUBJECT = "[%(site)s] Comment by %(author)s awaiting moderation: %(title)s"
REPLY_SUBJECT = "[%(site)s] %(author)s replied to your comment on %(title)s"
MODERATION_WORD = "contains the moderation word %(word)s"
LINKS = ("%(num)s link (more than %(limit)s)", "%(num)s links (more than %(limit)s)")
# A few messages per language: enough to see which language an answer was written in.
TRANSLATED: dict[str, dict[str | tuple[str, str], str | tuple[str, str]]] = {
    "de": {
        "The comment was not accepted.": "Der Kommentar wurde nicht angenommen.",
        "is required": "ist erforderlich",
        "Name": "Name",
        SUBJECT: "[%(site)s] Kommentar von %(author)s wartet auf Freigabe: %(title)s",
        REPLY_SUBJECT: "[%(site)s] %(author)s hat auf Ihren Kommentar zu %(title)s geantwortet",
        MODERATION_WORD: "enthält das Moderationswort %(word)s",
        LINKS: ("%(num)s Link (mehr als %(limit)s)", "%(num)s Links (mehr als %(limit)s)"),
        "This comment was already received.": "Dieser Kommentar ist schon angekommen.",
    },
    "nl": {
        "The comment was not accepted.": "De reactie is niet aangenomen.",
        SUBJECT: "[%(site)s] Reactie van %(author)s wacht op moderatie: %(title)s",
        MODERATION_WORD: "bevat het moderatiewoord %(word)s",
    },
    "fr": {
        SUBJECT: "[%(site)s] Commentaire de %(author)s en attente de modération : %(title)s",
    },
}


@pytest.fixture
def chrome_language() -> str:
    """No forced chrome language: the choice this module tests is made per post, person and request."""
    return ""


@pytest.fixture(autouse=True)
def kiln_speaks_de_nl_fr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Compiled catalogs for de, nl and fr (the real ones are the lead's), read instead of the shipped ones."""
    folder = tmp_path / "translations"
    for language, messages in TRANSLATED.items():
        catalog = Catalog(locale=language, domain=catalogs.DOMAIN)
        for source, text in messages.items():
            catalog.add(source, text)
        path = folder / language / "LC_MESSAGES" / f"{catalogs.DOMAIN}.mo"
        path.parent.mkdir(parents=True)
        with path.open("wb") as mo:
            write_mo(mo, catalog)
    monkeypatch.setattr(catalogs, "CATALOG_DIR", folder)
    catalogs.languages.cache_clear()
    catalogs.translations.cache_clear()
    # A request's language stays set in the thread after it; each test starts (and leaves) in English.
    with speaking(catalogs.SOURCE_LANGUAGE):
        yield
    catalogs.languages.cache_clear()
    catalogs.translations.cache_clear()


def _post_language(app: Flask, language: str, slug: str = "open-post") -> None:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        session.execute(update(Thread).where(Thread.slug == slug).values(language=language))


def _html_lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]*)"', page)
    assert found, page[:200]
    return found.group(1)


def test_a_bad_submission_is_answered_in_the_posts_language(client: FlaskClient, app: Flask) -> None:
    # A German post, built as such: the answer is that post's page, its form in German.
    post = Path(app.config["SITE_DIR"]) / "content" / "open-post.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Slug: open-post\n", "Slug: open-post\nLang: de\n"))
    full_build(site_of(app))
    page = client.post("/comments/open-post/", data={**FORM, "author": ""}, headers={"Accept-Language": "fr"})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert _html_lang(html) == "de"
    assert '<a href="#author-new">Name</a> ist erforderlich' in html
    answer = client.post("/comments/open-post/", data={**FORM, "body": ""}, headers={**JSON, "Accept-Language": "nl"})
    assert answer.get_json() == {
        "message": "Der Kommentar wurde nicht angenommen.",
        "errors": {"body": "ist erforderlich"},
    }


def test_a_post_without_a_language_speaks_the_sites(client: FlaskClient, app: Flask) -> None:
    # The demo site's DEFAULT_LANG is nl.
    answer = client.post("/comments/open-post/", data={**FORM, "body": ""}, headers={**JSON, "Accept-Language": "de"})
    assert answer.get_json()["message"] == "De reactie is niet aangenomen."


def test_a_forced_language_wins_over_the_posts(client: FlaskClient, app: Flask) -> None:
    _post_language(app, "de")
    app.config["LANGUAGE"] = "nl"
    page = client.post("/comments/open-post/", data={**FORM, "author": ""})
    assert _html_lang(page.get_data(as_text=True)) == "nl"
    answer = client.post("/comments/open-post/", data={**FORM, "body": ""}, headers=JSON)
    assert answer.get_json()["message"] == "De reactie is niet aangenomen."


def test_a_rejection_is_said_in_the_posts_language(client: FlaskClient, app: Flask) -> None:
    _post_language(app, "de")
    assert client.post("/comments/open-post/", data=FORM, headers=JSON).status_code == 202
    again = client.post("/comments/open-post/", data=FORM, headers=JSON)
    assert again.status_code == 409 and again.get_json()["message"] == "Dieser Kommentar ist schon angekommen."


def test_a_verdict_reason_is_stored_neutral_and_read_in_the_readers_language(client: FlaskClient, app: Flask) -> None:
    _post_language(app, "de")
    app.config.update(MODERATION_WORDS="free money", MAX_LINKS=1)
    body_text = "Get FREE MONEY at https://a.example.org and https://b.example.org"
    comment_id = client.post("/comments/open-post/", data={**FORM, "body": body_text}, headers=JSON).get_json()["id"]
    with database(app.config["DATABASE_URL"]).transaction() as session:
        stored = session.get(Comment, comment_id)
        assert stored is not None and stored.state == State.PENDING
        reason = stored.verdict_reason
    assert json.loads(reason) == [
        [MODERATION_WORD, {"word": "'FREE MONEY'"}],
        [LINKS[0], {"num": 2, "limit": 1}, LINKS[1]],
    ]
    with speaking("en"):
        assert reason_text(reason) == "contains the moderation word 'FREE MONEY'; 2 links (more than 1)"
    with speaking("de"):
        assert reason_text(reason) == "enthält das Moderationswort 'FREE MONEY'; 2 Links (mehr als 1)"
    with speaking("nl"):
        # A message the catalog lacks stays in English; the rest is translated.
        assert reason_text(reason) == "bevat het moderatiewoord 'FREE MONEY'; 2 links (more than 1)"


def test_the_reason_filter_is_registered_on_the_app(app: Flask) -> None:
    stored = store_reasons([Reason(MODERATION_WORD, {"word": "'x'"})])
    with app.app_context(), speaking("de"):
        assert (
            app.jinja_env.from_string("{{ r|reason_text }}").render(r=stored)
            == "enthält das Moderationswort &#39;x&#39;"
        )


@pytest.mark.parametrize(
    "legacy", ["", "3 links (more than 2)", "[url] looked odd", "[1, 2]", '[["a", "b"]]', '[["%(x)s", {"y": 1}]]']
)
def test_a_legacy_plain_reason_reads_back_unchanged(legacy: str) -> None:
    with speaking("de"):
        assert reason_text(legacy) == legacy


def test_reasons_that_do_not_fit_drop_whole_reasons() -> None:
    reasons = [Reason(MODERATION_WORD, {"word": f"'{letter * 150}'"}) for letter in "abcd"]
    stored = store_reasons(reasons)
    assert len(stored) <= STORED_MAX
    kept = json.loads(stored)
    assert 1 <= len(kept) < len(reasons)
    assert kept == [reason.stored() for reason in reasons[: len(kept)]], "whole reasons, in order, none cut"
    assert json.loads(store_reasons(reasons[:1])) == kept[:1]
    assert store_reasons([]) == ""


def test_a_judgement_stores_every_reason_for_its_action() -> None:
    held = Reason(MODERATION_WORD, {"word": "'x'"})
    judgement = Judgement(Verdict(Action.PENDING, held), None, (held, held))
    assert reason_text(judgement.stored_reason) == "contains the moderation word 'x'; contains the moderation word 'x'"


def _set_language(app: Flask, user_id: int, language: str) -> None:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        session.execute(update(User).where(User.id == user_id).values(language=language))


def test_each_moderator_is_mailed_in_their_own_language(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    app.config.update(mail_settings(smtp_server.port))
    _post_language(app, "de")
    _set_language(app, add_account(app, "fr", "fr@example.org"), "fr")
    _set_language(app, add_account(app, "de", "de@example.org"), "de")
    add_account(app, "chose-none", "none@example.org")
    submit(client, author="Piet")
    subjects = {message.recipient: message.subject for message in outbox(app)}
    site = next(iter(subjects.values())).split("]")[0] + "]"
    assert subjects == {
        "fr@example.org": f"{site} Commentaire de Piet en attente de modération : Open post",
        "de@example.org": f"{site} Kommentar von Piet wartet auf Freigabe: Open post",
        # No language chosen: the site's (the demo's DEFAULT_LANG is nl), not the post's.
        "none@example.org": f"{site} Reactie van Piet wacht op moderatie: Open post",
    }
    assert send(app).sent == 3
    received = {mail.rcpt_tos[0]: mail for mail in smtp_server.recorder.wait_for(3)}
    assert received["de@example.org"].message["Subject"] == subjects["de@example.org"]
    assert "Approve: " in body(received["de@example.org"]), "the body is composed with the subject"


def test_a_listed_address_without_an_account_gets_the_sites_language(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    app.config.update(mail_settings(smtp_server.port), MAIL_MODERATORS="listed@example.org, de@example.org")
    _set_language(app, add_account(app, "de", "de@example.org"), "de")
    submit(client, author="Piet")
    subjects = {message.recipient: message.subject for message in outbox(app)}
    assert "Reactie van Piet" in subjects["listed@example.org"]
    assert "Kommentar von Piet" in subjects["de@example.org"], "a listed address with an account: its language"


def _reply_mail_to_anna(app: Flask, mod_client: FlaskClient, smtp_server: SmtpServer, language: str) -> OutboxMessage:
    """Return the mail Anna gets when Bert's reply to her comment on a post in language is approved."""
    app.config.update(mail_settings(smtp_server.port))
    _post_language(app, language)
    token = moderation_token(mod_client)
    parent = submit(mod_client, author="Anna", email="anna@example.net", notify="1", body="Wie verkoopt hier?")
    assert mod_client.post(f"/moderate/comments/{parent}/approve", data={"csrf_token": token}).status_code == 303
    reply = submit(mod_client, author="Bert", parent=str(parent), body="Ik.")
    assert mod_client.post(f"/moderate/comments/{reply}/approve", data={"csrf_token": token}).status_code == 303
    (mail,) = [message for message in outbox(app) if message.recipient == "anna@example.net"]
    return mail


def test_a_commenter_hears_of_a_reply_in_the_posts_language(
    app: Flask, mod_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    mail = _reply_mail_to_anna(app, mod_client, smtp_server, "de")
    assert "Bert hat auf Ihren Kommentar zu Open post geantwortet" in mail.subject


def test_the_unsubscribe_page_speaks_the_posts_language(
    app: Flask, mod_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    mail = _reply_mail_to_anna(app, mod_client, smtp_server, "fr")
    link = re.search(r"/mail/unsubscribe/\S+", mail.body)
    assert link
    page = mod_client.get(link.group(0), headers={"Accept-Language": "de"})
    assert page.status_code == 200 and _html_lang(page.get_data(as_text=True)) == "fr"
