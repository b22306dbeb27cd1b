"""Mail as it is on the wire: the raw bytes the SMTP server received, read as a mail client reads them."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments_service.notify.compose import compose
from comments_service.notify.wire import MAX_LINE, fold_verbatim
from comments_service.store.models import OutboxMessage

from ..helpers import moderation_token
from .conftest import SITE_URL, Received, SmtpServer
from .helpers import body, raw_headers, send, submit

STRUCTURED = ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Message-ID", "From", "To")


def _approve(client: FlaskClient, comment_id: int) -> None:
    response = client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": moderation_token(client)})
    assert response.status_code == 303


def test_a_reply_notification_carries_its_list_headers_unencoded_on_the_wire(
    mail_app: Flask, mod_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    parent = submit(mod_client, author="Anna", email="anna@example.net", notify="1", body="Wie verkoopt hier?")
    _approve(mod_client, parent)
    _approve(mod_client, submit(mod_client, author="Bert", parent=str(parent), body="Ik."))
    assert send(mail_app).sent == 1
    (mail,) = smtp_server.recorder.wait_for(1)
    headers = raw_headers(mail)
    unsubscribe = re.search(r"To stop, open (\S+)", body(mail))
    assert unsubscribe and len(unsubscribe.group(1)) > 78, "the URL is longer than a folded header line"
    # A mail client reads these as they are: one angle-bracketed URL, no encoded word, no fold inside it.
    assert headers["List-Unsubscribe"] == f"<{unsubscribe.group(1)}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Id"] == "<replies.example.org>"
    assert re.fullmatch(r"<[^<>\s]+@example\.org>", headers["Message-ID"])
    assert headers["To"] == "anna@example.net"
    for name in STRUCTURED:
        assert "=?" not in headers[name], name
    assert all(len(line) <= MAX_LINE for line in mail.raw.split(b"\r\n"))
    assert unsubscribe.group(1).startswith(f"{SITE_URL}/mail/unsubscribe/")


def test_a_long_list_header_folds_only_between_its_parts() -> None:
    urls = [f"<https://blog.example/mail/unsubscribe/{'t' * 920}>,", "<mailto:unsubscribe@blog.example>"]
    folded = fold_verbatim("List-Unsubscribe", " ".join(urls))
    assert folded == f"List-Unsubscribe: {urls[0]}\r\n {urls[1]}\r\n"
    with pytest.raises(ValueError, match="longer than a mail line"):
        fold_verbatim("List-Unsubscribe", f"<https://blog.example/{'x' * 1000}>")


def test_a_sender_with_a_non_ascii_name_keeps_its_address_unencoded() -> None:
    row = OutboxMessage(
        id=7, recipient="anna@example.net", subject="Één reactie", body="b", unsubscribe_url=f"{SITE_URL}/u/{'t' * 200}"
    )
    raw = compose(row, "Blog van Één <blog@example.org>").as_bytes()
    headers = raw_headers(Received("", [], EmailMessage(), raw))
    assert headers["From"].endswith(" <blog@example.org>") and "=?utf-8?" in headers["From"]
    assert headers["List-Unsubscribe"] == f"<{SITE_URL}/u/{'t' * 200}>"
    assert "=?utf-8?" in headers["Subject"]
