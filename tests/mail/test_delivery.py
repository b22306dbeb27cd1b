"""Delivery: a dead SMTP server never fails a submission; messages wait, back off and arrive once, exactly once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments_service.background.lease import LeaseTerms
from comments_service.notify.sender import start_sender
from comments_service.store.models import utcnow

from .conftest import SmtpServer, mail_settings, wait_until
from .helpers import add_account, outbox, send, submit


@pytest.fixture
def down_app(app: Flask, smtp_down: SmtpServer) -> Flask:
    """The service with email on, pointed at a port where no server listens yet."""
    app.config.update(mail_settings(smtp_down.port))
    add_account(app)
    return app


def test_a_dead_server_leaves_the_comment_accepted_and_the_message_retried_until_delivered(
    down_app: Flask, client: FlaskClient, smtp_down: SmtpServer
) -> None:
    submit(client)
    before = utcnow()
    result = send(down_app)
    assert (result.sent, result.failed) == (0, 1)
    (row,) = outbox(down_app)
    assert row.sent_at is None and row.attempts == 1 and "refused" in row.last_error.lower()
    assert before + timedelta(seconds=55) < row.next_attempt < utcnow() + timedelta(seconds=65)

    smtp_down.start()
    assert send(down_app).sent == 0, "not due before its backoff has passed"
    assert send(down_app, now=row.next_attempt + timedelta(seconds=1)).sent == 1
    (row,) = outbox(down_app)
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""
    assert len(smtp_down.recorder.wait_for(1)) == 1
    assert send(down_app, now=utcnow() + timedelta(days=1)).sent == 0


def test_every_retry_waits_twice_as_long_and_the_outbox_gives_up_in_the_end(
    down_app: Flask, client: FlaskClient
) -> None:
    down_app.config["MAIL_MAX_ATTEMPTS"] = 3
    submit(client)
    waits = []
    for _ in range(3):
        (row,) = outbox(down_app)
        assert send(down_app, now=row.next_attempt).failed == 1
        (after,) = outbox(down_app)
        waits.append(round((after.next_attempt - utcnow()).total_seconds() / 60))
    assert waits == [1, 2, 4]
    (row,) = outbox(down_app)
    assert send(down_app, now=row.next_attempt + timedelta(days=1)).failed == 0
    result = down_app.test_cli_runner().invoke(args=["send-mail"])
    assert "0 message(s) waiting" in result.output


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 60), (2, 120), (5, 960), (12, 6 * 3600)])
def test_backoff_doubles_up_to_its_cap(attempts: int, seconds: int) -> None:
    assert LeaseTerms.outlasting(10, 10, 60, 6 * 3600).retry_delay(attempts) == timedelta(seconds=seconds)


def test_starttls_that_the_server_does_not_offer_is_an_error_not_a_downgrade(
    mail_app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    add_account(mail_app)
    mail_app.config["MAIL_SECURITY"] = "starttls"
    submit(client)
    assert send(mail_app).failed == 1
    assert smtp_server.received == []
    assert "STARTTLS" in outbox(mail_app)[0].last_error


def test_an_unknown_security_setting_stops_the_service_from_starting(app: Flask) -> None:
    from comments_service import create_app

    with pytest.raises(ValueError, match="MAIL_SECURITY"):
        create_app({**app.config, "MAIL_SECURITY": "tls-please"})


def test_two_senders_at_once_deliver_each_message_exactly_once(
    mail_app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    add_account(mail_app)
    for n in range(8):
        submit(client, body=f"Comment number {n}")
    barrier = threading.Barrier(3)
    results = []

    def run() -> None:
        barrier.wait()
        results.append(send(mail_app))

    workers = [threading.Thread(target=run) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert sum(r.sent for r in results) == 8 and sum(r.failed for r in results) == 0
    assert len(smtp_server.recorder.wait_for(8)) == 8
    bodies = sorted(r.message.get_body(("plain",)).get_content() for r in smtp_server.received)  # type: ignore[union-attr]
    assert len(set(bodies)) == 8


def test_the_background_sender_sends_new_mail_at_once(
    mail_app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    add_account(mail_app)
    mail_app.config["MAIL_POLL_INTERVAL"] = 60
    sender = start_sender(mail_app)
    assert sender is not None
    try:
        # The poll is a minute away: only the wake-up on enqueue can deliver this in time.
        time.sleep(0.3)  # let the first pass, over an empty outbox, finish
        submit(client)
        assert len(smtp_server.recorder.wait_for(1, timeout=10)) == 1
        assert wait_until(lambda: outbox(mail_app)[0].sent_at is not None)
    finally:
        sender.stop()


def test_the_background_sender_retries_on_its_own(app: Flask, client: FlaskClient, smtp_down: SmtpServer) -> None:
    app.config.update(mail_settings(smtp_down.port), MAIL_POLL_INTERVAL=0.2, MAIL_RETRY_DELAY=0.2)
    add_account(app)
    sender = start_sender(app)
    assert sender is not None
    try:
        submit(client)
        assert wait_until(lambda: outbox(app)[0].attempts >= 1)
        smtp_down.start()
        assert len(smtp_down.recorder.wait_for(1, timeout=10)) == 1
    finally:
        sender.stop()
