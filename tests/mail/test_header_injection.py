"""No field a reader or an author controls can add a header or a recipient to Kiln's email."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments_service.notify.compose import compose
from comments_service.store.database import database
from comments_service.store.models import OutboxMessage, Thread
from comments_service.text.mail_address import mailbox

from ..helpers import moderation_token
from .conftest import SmtpServer
from .helpers import JSON, MOD_EMAIL, add_account, body, send, submit

EVIL = "Eve\r\nBcc: victim@evil.example\r\nX-Injected: yes"
# Line and paragraph separators: text the form takes (they are not controls), which splitlines() breaks at.
EVIL_SEPARATORS = "Eve\u2028Bcc: victim@evil.example\u2029X-Injected: yes"
MODERATOR_HEADERS = {
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Auto-Submitted",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
}


def _retitle(app: Flask, title: str) -> None:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = session.query(Thread).filter_by(slug="open-post").one()
        thread.title = title


def test_line_breaks_in_the_name_title_and_fields_add_no_header_or_recipient(
    mail_app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    add_account(mail_app)
    _retitle(mail_app, "Open post\r\nBcc: victim2@evil.example")
    refused = client.post("/comments/open-post/", data={"author": EVIL, "body": "Hi"}, headers=JSON)
    assert refused.status_code == 400 and "author" in refused.get_json()["errors"]
    submit(
        client,
        author=EVIL_SEPARATORS,
        email="eve@example.net,victim3@evil.example",
        body="Hi\r\nBcc: victim5@evil.example\r\n\r\nbody",
    )
    assert send(mail_app).sent == 1
    (mail,) = smtp_server.recorder.wait_for(1)
    assert mail.rcpt_tos == [MOD_EMAIL]
    assert set(mail.message.keys()) == MODERATOR_HEADERS
    assert mail.message["Bcc"] is None and mail.message["X-Injected"] is None
    subject = mail.message["Subject"]
    assert "\r" not in subject and "\n" not in subject
    assert subject.startswith("[Sales 2.0] Comment by Eve Bcc: victim@evil.example X-Injected: yes awaiting")
    # The text stays visible to the moderator, in the body, where it cannot act as a header.
    assert "eve@example.net,victim3@evil.example" in body(mail)


@pytest.mark.parametrize(
    "email",
    [
        "anna@example.net\r\nBcc: victim@evil.example",
        "anna@example.net,victim@evil.example",
        "Anna <anna@example.net>",
        "anna@example.net (Anna)",
        "ánna@example.net",
    ],
)
def test_a_subscriber_address_that_is_not_one_plain_mailbox_is_refused(
    mail_app: Flask, client: FlaskClient, email: str
) -> None:
    data = {"author": "Anna", "email": email, "notify": "1", "body": "Hoi"}
    response = client.post("/comments/open-post/", data=data, headers=JSON)
    assert response.status_code == 400 and "email" in response.get_json()["errors"]


def test_a_reply_author_with_line_breaks_cannot_inject_into_the_subscriber_mail(
    mail_app: Flask, mod_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    token = moderation_token(mod_client)
    parent = submit(mod_client, author="Anna", email="anna@example.net", notify="1")
    mod_client.post(f"/moderate/comments/{parent}/approve", data={"csrf_token": token})
    reply = submit(mod_client, author=EVIL_SEPARATORS, parent=str(parent))
    mod_client.post(f"/moderate/comments/{reply}/approve", data={"csrf_token": token})
    assert send(mail_app).sent == 1
    (mail,) = smtp_server.recorder.wait_for(1)
    assert mail.rcpt_tos == ["anna@example.net"]
    assert set(mail.message.keys()) == MODERATOR_HEADERS | {"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"}
    assert "Bcc: victim@evil.example" in mail.message["Subject"]


def test_the_builder_refuses_a_stored_recipient_list() -> None:
    row = OutboxMessage(id=1, recipient="a@example.org, b@example.org", subject="s", body="b", unsubscribe_url="")
    with pytest.raises(ValueError, match="not a deliverable address"):
        compose(row, "Blog <blog@example.org>")
    assert mailbox("a@example.org") is not None and mailbox("a@example.org\nb@example.org") is None
