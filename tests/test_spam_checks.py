"""Each spam check through the public endpoint: what is stored, with which reason, and what the sender gets."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, update

from comments_service import create_app
from comments_service.spam.reasons import reason_text
from comments_service.store.database import database
from comments_service.store.models import Comment, State, utcnow

from .helpers import eventually_in, moderation_token

FORM = {"author": "Anna de Vries", "email": "anna@example.nl", "website": "", "body": "Mooi stuk, dank je."}
JSON = {"Accept": "application/json"}
URL = "/comments/open-post/"


def _post(client: FlaskClient, ip: str = "192.0.2.10", json: bool = True, **change: str):  # type: ignore[no-untyped-def]
    headers = JSON if json else {}
    return client.post(URL, data={**FORM, **change}, headers=headers, environ_base={"REMOTE_ADDR": ip})


def _latest_id(app: Flask) -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return int(session.scalar(select(func.max(Comment.id))) or 0)


def _stored(app: Flask, comment_id: int) -> Comment:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        session.expunge(comment)
        return comment


def _count(app: Flask) -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return session.scalar(select(func.count()).select_from(Comment)) or 0


def test_the_form_carries_a_honeypot_people_skip(output: Path) -> None:
    html = (output / "open-post.html").read_text(encoding="utf-8")
    assert '<p class="kiln-hp"><label for="homepage-new">Leave this field empty' in html
    assert 'name="homepage" type="text" value="" autocomplete="off" tabindex="-1"' in html
    css = (output / "theme" / "css" / "kiln.css").read_text(encoding="utf-8")
    assert ".kiln-hp { position: absolute; left: -10000px;" in css


def test_filled_honeypot_is_spam_and_answered_like_a_real_comment(client: FlaskClient, app: Flask) -> None:
    real = _post(client, ip="192.0.2.1")
    bot = _post(client, ip="192.0.2.2", homepage="http://pills.example", body="Other text")
    assert (real.status_code, bot.status_code) == (202, 202)
    assert real.get_json().keys() == bot.get_json().keys()
    assert real.get_json()["status"] == bot.get_json()["status"] == "pending"
    caught = _stored(app, bot.get_json()["id"])
    assert (
        caught.state == State.SPAM and reason_text(caught.verdict_reason) == "the hidden honeypot field was filled in"
    )
    browser_real = _post(client, ip="192.0.2.3", json=False, body="Third")
    browser_bot = _post(client, ip="192.0.2.4", json=False, body="Fourth", homepage="x")
    assert browser_real.status_code == browser_bot.status_code == 303
    # Each is sent to its own comment on its writer's page, which shows it as awaiting moderation.
    real_place, bot_place = browser_real.headers["Location"], browser_bot.headers["Location"]
    assert real_place.rpartition("#")[0] == bot_place.rpartition("#")[0] == "/comments/open-post/yours"
    assert bot_place == f"/comments/open-post/yours#comment-{_latest_id(app)}"


def test_second_comment_within_the_flood_window_gets_429(client: FlaskClient, app: Flask) -> None:
    app.config["FLOOD_SECONDS"] = 15
    first = _post(client)
    assert first.status_code == 202
    second = _post(client, body="En nog iets.")
    assert second.status_code == 429
    wait = int(re.search(r"wait (\d+) seconds", second.get_json()["message"]).group(1))  # type: ignore[union-attr]
    assert 1 <= wait <= 15
    # Flask-Limiter raises Retry-After to its own window's reset when that is later, never lower.
    assert int(second.headers["Retry-After"]) >= wait
    assert _count(app) == 1
    assert _post(client, ip="192.0.2.99", body="Van een ander adres.").status_code == 202
    with database(app.config["DATABASE_URL"]).transaction() as session:
        session.execute(update(Comment).values(created=utcnow() - timedelta(seconds=16)))
    assert _post(client, body="Na het wachten.").status_code == 202


def test_moderators_are_exempt_from_the_flood_check(mod_client: FlaskClient, app: Flask) -> None:
    app.config["FLOOD_SECONDS"] = 15
    assert _post(mod_client).status_code == 202
    assert _post(mod_client, body="Nog een, direct erna.").status_code == 202


def test_duplicate_gets_409_and_one_copy(client: FlaskClient, app: Flask) -> None:
    assert _post(client).status_code == 202
    again = _post(client, ip="192.0.2.77", author="anna de vries", body="  Mooi stuk,\r\n dank je. ")
    assert again.status_code == 409
    assert "already received" in again.get_json()["message"]
    assert _count(app) == 1
    assert _post(client, body="Mooi stuk, dank je!").status_code == 202, "a different body is a new comment"
    assert _post(client, email="ander@example.nl").status_code == 202, "so is another email"


def test_without_the_duplicate_check_a_repeat_is_stored(client: FlaskClient, app: Flask) -> None:
    app.config["SPAM_CHECKS"] = "honeypot,flood"
    assert _post(client).status_code == 202
    assert _post(client).status_code == 202
    assert _count(app) == 2


def test_duplicate_that_slips_past_the_check_is_caught_by_the_unique_key(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comments_service.spam import pipeline

    # As if the other copy committed between our check and our insert.
    monkeypatch.setitem(pipeline.CHECKS, "duplicate", lambda *args: None)
    assert _post(client).status_code == 202
    second = _post(client)
    assert second.status_code == 409 and "already received" in second.get_json()["message"]
    assert _count(app) == 1


def test_a_copy_within_the_flood_window_gets_409_unless_flood_is_checked_first(client: FlaskClient, app: Flask) -> None:
    app.config["FLOOD_SECONDS"] = 15
    assert _post(client).status_code == 202
    again = _post(client)
    assert again.status_code == 409 and "already received" in again.get_json()["message"]
    app.config["SPAM_CHECKS"] = "flood,duplicate"
    assert _post(client).status_code == 429, "the checks answer in their configured order"
    assert _count(app) == 1


def test_a_copy_of_a_comment_caught_as_spam_gets_409(client: FlaskClient, app: Flask) -> None:
    app.config["DISALLOWED_WORDS"] = "casino"
    first = _post(client, body="Beste casino van NL")
    assert _stored(app, first.get_json()["id"]).state == State.SPAM
    again = _post(client, ip="192.0.2.77", body="Beste  casino van NL")
    assert again.status_code == 409 and "already received" in again.get_json()["message"]
    assert _count(app) == 1


def test_an_accepted_comment_costs_no_duplicate_query(client: FlaskClient, app: Flask) -> None:
    statements: list[str] = []
    engine = database(app.config["DATABASE_URL"]).engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, …)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert _post(client).status_code == 202
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    asked = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "dedupe_key" in s]
    assert asked == [] and any("ON CONFLICT (dedupe_key) DO NOTHING" in s for s in statements)


def test_more_links_than_allowed_wait_for_a_moderator(client: FlaskClient, app: Flask) -> None:
    two = _post(client, ip="192.0.2.1", body="Zie https://a.example.org en [dit](https://b.example.org).")
    assert reason_text(_stored(app, two.get_json()["id"]).verdict_reason) == ""
    body = "Links: https://a.example.org, http://b.spam.top/x en www.c.example.com"
    three = _post(client, ip="192.0.2.2", body=body)
    comment = _stored(app, three.get_json()["id"])
    assert comment.state == State.PENDING and reason_text(comment.verdict_reason) == "3 links (more than 2)"
    app.config["MAX_LINKS"] = 0
    one = _stored(app, _post(client, ip="192.0.2.3", body="Zie https://a.example.org").get_json()["id"])
    assert reason_text(one.verdict_reason) == "1 link (more than 0)"


def test_moderation_words_hold_whole_words_only(client: FlaskClient, app: Flask) -> None:
    app.config["MODERATION_WORDS"] = "cialis\nfree money"
    held = _stored(app, _post(client, ip="192.0.2.1", body="Get FREE MONEY now").get_json()["id"])
    assert (
        held.state == State.PENDING and reason_text(held.verdict_reason) == "contains the moderation word 'FREE MONEY'"
    )
    clean = _stored(app, _post(client, ip="192.0.2.2", body="Mijn huisarts is specialist").get_json()["id"])
    assert reason_text(clean.verdict_reason) == ""


@pytest.mark.parametrize(
    ("setting", "value", "change", "ip", "reason"),
    [
        (
            "DISALLOWED_WORDS",
            "casino, viagra",
            {"body": "Beste Casino van NL"},
            "192.0.2.1",
            "disallowed word 'Casino'",
        ),
        ("DISALLOWED_WORDS", "casino", {"author": "casino bonus"}, "192.0.2.1", "disallowed word 'casino'"),
        ("DISALLOWED_ADDRESSES", "203.0.113.0/24\n10.9.9.9", {}, "203.0.113.7", "address range 203.0.113.0/24"),
        ("DISALLOWED_ADDRESSES", "2001:db8::/32", {}, "2001:db8::5", "address range 2001:db8::/32"),
        ("DISALLOWED_EMAILS", "anna@example.nl", {}, "192.0.2.1", "disallowed entry 'anna@example.nl'"),
        ("DISALLOWED_EMAILS", "@EXAMPLE.nl", {}, "192.0.2.1", "disallowed entry '@example.nl'"),
    ],
)
def test_disallowed_lists_mark_spam(
    client: FlaskClient, app: Flask, setting: str, value: str, change: dict[str, str], ip: str, reason: str
) -> None:
    app.config[setting] = value
    response = _post(client, ip=ip, **change)
    assert response.status_code == 202 and response.get_json()["status"] == "pending", "answered like any comment"
    comment = _stored(app, response.get_json()["id"])
    assert comment.state == State.SPAM and reason in reason_text(comment.verdict_reason)


def test_unlisted_address_and_email_pass(client: FlaskClient, app: Flask) -> None:
    app.config.update(DISALLOWED_ADDRESSES="203.0.113.0/24", DISALLOWED_EMAILS="@spam.example")
    comment = _stored(app, _post(client, ip="203.0.114.1").get_json()["id"])
    assert comment.state == State.PENDING and reason_text(comment.verdict_reason) == ""


def test_bad_settings_stop_the_service_at_start(database_url: str, site_dir: Path) -> None:
    base = {"DATABASE_URL": database_url, "SITE_DIR": str(site_dir), "SECRET_KEY": "x"}
    with pytest.raises(ValueError, match="'not-an-ip' is not an IP address"):
        create_app({**base, "DISALLOWED_ADDRESSES": "10.0.0.0/8, not-an-ip"})
    with pytest.raises(ValueError, match="unknown check"):
        create_app({**base, "SPAM_CHECKS": "honeypot,telepathy"})


def test_gibberish_is_spam(client: FlaskClient, app: Flask) -> None:
    comment = _stored(app, _post(client, body="qwpoer zxcvbn asdfgh lkjhgf mnbvcx poiuyt").get_json()["id"])
    assert (
        comment.state == State.SPAM
        and reason_text(comment.verdict_reason) == "gibberish: 5 of 6 words are unpronounceable"
    )
    dutch = _stored(
        app, _post(client, ip="192.0.2.5", body="De angstschreeuw klonk over de herfstvelden.").get_json()["id"]
    )
    assert dutch.state == State.PENDING


def _approve(mod_client: FlaskClient, comment_id: int) -> None:
    token = moderation_token(mod_client)
    assert mod_client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": token}).status_code == 303


def test_known_author_is_published_at_once(
    client: FlaskClient, mod_client: FlaskClient, app: Flask, output: Path
) -> None:
    app.config["APPROVE_KNOWN_AUTHORS"] = True
    _approve(mod_client, _post(client, ip="192.0.2.1").get_json()["id"])
    response = _post(client, ip="192.0.2.2", body="Tweede reactie van Anna.")
    assert response.status_code == 201 and response.get_json()["status"] == "approved"
    comment = _stored(app, response.get_json()["id"])
    assert (
        comment.state == State.APPROVED and reason_text(comment.verdict_reason) == "the author has an approved comment"
    )
    assert eventually_in(output / "open-post.html", "Tweede reactie van Anna."), "baked at once"
    browser = _post(client, ip="192.0.2.3", json=False, body="Derde.")
    assert browser.status_code == 303 and "/comments/open-post/yours#comment-" in browser.headers["Location"]
    stranger = _stored(app, _post(client, ip="192.0.2.4", email="nep@example.nl", body="Ik ben Anna").get_json()["id"])
    assert stranger.state == State.PENDING, "the same name with another email is not known"


def test_known_author_stays_pending_when_off_or_when_another_check_objects(
    client: FlaskClient, mod_client: FlaskClient, app: Flask
) -> None:
    _approve(mod_client, _post(client, ip="192.0.2.1").get_json()["id"])
    off = _stored(app, _post(client, ip="192.0.2.2", body="Tweede.").get_json()["id"])
    assert off.state == State.PENDING
    app.config.update(APPROVE_KNOWN_AUTHORS=True, DISALLOWED_WORDS="casino")
    spam = _stored(app, _post(client, ip="192.0.2.3", body="Mijn casino!").get_json()["id"])
    assert spam.state == State.SPAM
    held = _stored(
        app, _post(client, ip="192.0.2.4", body="a https://a.nl b https://b.nl c https://c.nl").get_json()["id"]
    )
    assert held.state == State.PENDING and reason_text(held.verdict_reason) == "3 links (more than 2)"
