"""Reply notifications: sent once a reply is approved, never before, and stopped by one-click unsubscribe."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from comments_service.store.models import State

from ..helpers import moderation_token
from .conftest import SITE_URL, SmtpServer
from .helpers import JSON, body, comment, outbox, path_of, raw_headers, send, submit

SUBSCRIBER = "anna@example.net"


def _approve(client: FlaskClient, comment_id: int) -> None:
    response = client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": moderation_token(client)})
    assert response.status_code == 303


def _subscribed_thread(client: FlaskClient) -> int:
    parent = submit(client, author="Anna", email=SUBSCRIBER, notify="1", body="Wie verkoopt hier?")
    _approve(client, parent)
    return parent


def test_the_subscriber_hears_of_a_reply_once_it_is_approved_and_not_before(
    mail_app: Flask, mod_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    parent = _subscribed_thread(mod_client)
    reply = submit(mod_client, author="Bert", email="bert@example.org", parent=str(parent), body="Ik, *natuurlijk*.")
    send(mail_app)
    assert smtp_server.received == []
    _approve(mod_client, reply)
    assert send(mail_app).sent == 1
    (mail,) = smtp_server.recorder.wait_for(1)
    assert mail.rcpt_tos == [SUBSCRIBER] and raw_headers(mail)["To"] == SUBSCRIBER
    assert "Bert replied to your comment on Open post" in mail.message["Subject"]
    text = body(mail)
    assert "> Ik, *natuurlijk*." in text and "> Wie verkoopt hier?" in text
    assert f"{SITE_URL}/open-post.html#comment-{reply}" in text
    unsubscribe = re.search(r"To stop, open (\S+)", text)
    assert unsubscribe and unsubscribe.group(1).startswith(f"{SITE_URL}/mail/unsubscribe/")
    # Read as a mail client reads them: the header lines as they were sent.
    headers = raw_headers(mail)
    assert headers["List-Unsubscribe"] == f"<{unsubscribe.group(1)}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Auto-Submitted"] == "auto-generated"


def test_a_reply_published_without_moderation_is_heard_of_at_once(
    mail_app: Flask, mod_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    parent = _subscribed_thread(mod_client)
    mail_app.config["HOLD_FOR_MODERATION"] = False
    data = {"author": "Bert", "email": "bert@example.org", "parent": str(parent), "body": "Meteen zichtbaar."}
    response = mod_client.post("/comments/open-post/", data=data, headers=JSON)
    assert response.status_code == 201, "published at once"
    assert comment(mail_app, int(response.get_json()["id"])).state == State.APPROVED
    assert send(mail_app).sent == 1
    (mail,) = smtp_server.recorder.wait_for(1)
    assert mail.rcpt_tos == [SUBSCRIBER] and "> Meteen zichtbaar." in body(mail)


def test_no_mail_without_the_box_ticked_or_for_ones_own_reply(mail_app: Flask, mod_client: FlaskClient) -> None:
    quiet = submit(mod_client, author="Cor", email="cor@example.net", body="Geen mail, dank je.")
    _approve(mod_client, quiet)
    parent = _subscribed_thread(mod_client)
    for target, email in ((quiet, "bert@example.org"), (parent, SUBSCRIBER.upper())):
        _approve(mod_client, submit(mod_client, author="X", email=email, parent=str(target)))
    assert outbox(mail_app) == []


def test_ticking_the_box_without_an_email_is_a_field_error(mail_app: Flask, client: FlaskClient) -> None:
    response = client.post("/comments/open-post/", data={"author": "Anna", "body": "Hoi", "notify": "1"}, headers=JSON)
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"email": "is needed to notify you of replies"}
    page = client.post("/comments/open-post/", data={"author": "Anna", "body": "Hoi", "notify": "1"})
    assert page.status_code == 400 and 'name="notify" type="checkbox" value="1" checked' in page.get_data(as_text=True)


def test_the_form_offers_the_box(output: Path) -> None:
    html = (output / "open-post.html").read_text()
    assert '<input id="notify-new" name="notify" type="checkbox" value="1">' in html


def test_one_click_unsubscribe_stops_further_replies(
    mail_app: Flask, mod_client: FlaskClient, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    parent = _subscribed_thread(mod_client)
    _approve(mod_client, submit(mod_client, author="Bert", parent=str(parent)))
    send(mail_app)
    (mail,) = smtp_server.recorder.wait_for(1)
    url = raw_headers(mail)["List-Unsubscribe"].strip("<>")
    stranger = mail_app.test_client()
    # What a mail provider does (RFC 8058): a POST with this body, no cookies and no form token.
    response = stranger.post(path_of(url), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "no more reply notifications" in response.get_data(as_text=True)
    assert comment(mail_app, parent).notify_replies is False
    _approve(mod_client, submit(mod_client, author="Cor", parent=str(parent)))
    assert send(mail_app).sent == 0
    assert len(smtp_server.received) == 1


def test_the_unsubscribe_link_opens_a_page_with_one_button_and_get_changes_nothing(
    mail_app: Flask, mod_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    parent = _subscribed_thread(mod_client)
    _approve(mod_client, submit(mod_client, author="Bert", parent=str(parent)))
    send(mail_app)
    (mail,) = smtp_server.recorder.wait_for(1)
    link = path_of(re.search(r"To stop, open (\S+)", body(mail)).group(1))  # type: ignore[union-attr]
    page = mail_app.test_client().get(link).get_data(as_text=True)
    assert "Stop reply notifications?" in page and SUBSCRIBER in page
    assert page.count("<button") == 1 and '<form method="post" class="unsubscribe-form">' in page
    assert comment(mail_app, parent).notify_replies is True
    assert mail_app.test_client().post(link).status_code == 200
    assert comment(mail_app, parent).notify_replies is False


def test_unsubscribing_touches_only_that_address_on_that_thread(
    mail_app: Flask, mod_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    parent = _subscribed_thread(mod_client)
    other = submit(mod_client, author="Dirk", email="dirk@example.net", notify="1")
    _approve(mod_client, other)
    _approve(mod_client, submit(mod_client, author="Bert", parent=str(parent)))
    send(mail_app)
    (mail,) = smtp_server.recorder.wait_for(1)
    assert mail_app.test_client().post(path_of(raw_headers(mail)["List-Unsubscribe"].strip("<>"))).status_code == 200
    assert comment(mail_app, parent).notify_replies is False
    assert comment(mail_app, other).notify_replies is True


def test_a_forged_unsubscribe_link_is_refused(mail_app: Flask, client: FlaskClient) -> None:
    assert client.get("/mail/unsubscribe/eyJlIjoiYUBiLmMiLCJ0IjoxfQ.forged").status_code == 403
    assert client.post("/mail/unsubscribe/eyJlIjoiYUBiLmMiLCJ0IjoxfQ.forged").status_code == 403


def test_a_reply_to_a_comment_no_longer_shown_sends_nothing(mail_app: Flask, mod_client: FlaskClient) -> None:
    parent = _subscribed_thread(mod_client)
    reply = submit(mod_client, author="Bert", parent=str(parent))
    mod_client.post(f"/moderate/comments/{parent}/spam", data={"csrf_token": moderation_token(mod_client)})
    assert comment(mail_app, parent).state == State.SPAM
    _approve(mod_client, reply)
    assert outbox(mail_app) == []
