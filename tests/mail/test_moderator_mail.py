"""Moderators get a message for each comment awaiting moderation, queued and sent through real SMTP."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from comments_service.events import comment_submitted
from comments_service.store.models import Role, State

from ..helpers import moderation_token
from .conftest import SENDER, SITE_URL, SmtpServer
from .helpers import MOD_EMAIL, add_account, body, comment, moderation_links, outbox, raw_headers, send, submit


def test_a_new_comment_mails_each_moderator_its_text_post_author_and_links(
    mail_app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    add_account(mail_app)
    add_account(mail_app, "boss", "boss@example.org", role=Role.ADMIN)
    comment_id = submit(
        client,
        author="Piet Jansen",
        email="piet@example.net",
        website="https://piet.example",
        body="Line one\n\nLine *two*",
    )
    assert send(mail_app).sent == 2
    received = smtp_server.recorder.wait_for(2)
    assert sorted(r.rcpt_tos[0] for r in received) == ["boss@example.org", MOD_EMAIL]
    mail = next(r for r in received if r.rcpt_tos == [MOD_EMAIL])
    assert mail.mail_from == "blog@example.org" and raw_headers(mail)["From"] == SENDER
    assert raw_headers(mail)["To"] == MOD_EMAIL
    assert "Piet Jansen" in mail.message["Subject"] and "Open post" in mail.message["Subject"]
    text = body(mail)
    assert "> Line one\n> \n> Line *two*" in text
    assert "piet@example.net" in text and "https://piet.example" in text and "127.0.0.1" in text
    assert f"{SITE_URL}/open-post.html" in text
    links = moderation_links(mail)
    assert set(links) == {"approve", "spam", "delete"}
    assert all(url.startswith(f"{SITE_URL}/mail/moderate/") for url in links.values())
    assert len(set(links.values())) == 3
    assert comment(mail_app, comment_id).state == State.PENDING


def test_listed_addresses_replace_the_accounts(mail_app: Flask, client: FlaskClient, smtp_server: SmtpServer) -> None:
    add_account(mail_app)
    mail_app.config["MAIL_MODERATORS"] = "first@example.org, second@example.org"
    submit(client)
    assert send(mail_app).sent == 2
    assert sorted(r.rcpt_tos[0] for r in smtp_server.recorder.wait_for(2)) == [
        "first@example.org",
        "second@example.org",
    ]


def test_only_comments_awaiting_moderation_are_announced(mail_app: Flask, client: FlaskClient) -> None:
    add_account(mail_app)
    comment_id = submit(client)
    assert len(outbox(mail_app)) == 1
    stored = comment(mail_app, comment_id)
    stored.state = State.SPAM
    with mail_app.app_context():
        comment_submitted.send(mail_app, comment=stored)
    assert len(outbox(mail_app)) == 1


def test_no_mail_is_queued_while_email_is_off(app: Flask, client: FlaskClient) -> None:
    add_account(app)
    submit(client)
    assert outbox(app) == []
    assert app.config["MAIL_HOST"] == ""


def test_accounts_without_an_email_or_role_get_nothing(mail_app: Flask, client: FlaskClient) -> None:
    add_account(mail_app, "quiet", "")
    add_account(mail_app, "writer", "writer@example.org", role=Role.AUTHOR)
    submit(client)
    assert outbox(mail_app) == []


def test_the_cli_sends_the_queue_once_and_reports(
    mail_app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    add_account(mail_app)
    submit(client)
    submit(client, body="Another one")
    result = mail_app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, failed 0; 0 message(s) waiting" in result.output
    assert len(smtp_server.recorder.wait_for(2)) == 2
    assert all(row.sent_at is not None and row.attempts == 1 for row in outbox(mail_app))


def test_the_cli_refuses_while_email_is_off(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 1 and "Email is off" in result.output


def test_a_reply_names_the_comment_it_answers(
    mail_app: Flask, mod_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    parent = submit(mod_client, author="Anna")
    mod_client.post(f"/moderate/comments/{parent}/approve", data={"csrf_token": moderation_token(mod_client)})
    add_account(mail_app)
    submit(mod_client, author="Bert", parent=str(parent))
    send(mail_app)
    (mail,) = smtp_server.recorder.wait_for(1)
    assert f"In reply to: Anna (comment {parent})" in body(mail)
