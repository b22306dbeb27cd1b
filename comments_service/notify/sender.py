"""Send what the outbox holds through SMTP: once from the CLI, or continually from a thread in each service process."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask

from ..background.lease import LeaseTerms
from ..background.worker import BackgroundWorker
from ..store.database import database
from ..store.models import utcnow
from ..store.outbox import claim_next, mark_failed, mark_sent
from .compose import compose, envelope_sender
from .mailconf import SmtpSettings, mail_enabled, smtp_settings

log = logging.getLogger(__name__)


@dataclass
class DrainResult:
    """How one pass over the outbox went."""

    sent: int = 0
    failed: int = 0


def open_smtp(settings: SmtpSettings) -> smtplib.SMTP:
    """Connect and log in to the SMTP server, encrypting as configured (never silently downgrading)."""
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if settings.security == "ssl":
        connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            # Raises SMTPNotSupportedError when the server offers no STARTTLS: better unsent than sent in clear.
            connection.starttls(context=context)
        if settings.username:
            connection.login(settings.username, settings.password)
    except BaseException:
        connection.close()
        raise
    return connection


def lease_terms(config: Mapping[str, Any]) -> LeaseTerms:
    """Return how the sender holds outbox rows: MAIL_MAX_ATTEMPTS tries, MAIL_RETRY_DELAY doubling between them."""
    # The lease outlasts a delivery attempt (its SMTP timeout), so only a dead sender's claim ever expires.
    return LeaseTerms.from_settings(config, "MAIL", float(config["MAIL_TIMEOUT"]))


def drain(config: Mapping[str, Any], now: datetime | None = None) -> DrainResult:
    """Try every due message once; a failure waits for its next attempt, a dead server ends the pass."""
    settings = smtp_settings(config)
    terms = lease_terms(config)
    started = now or utcnow()
    result = DrainResult()
    connection: smtplib.SMTP | None = None
    try:
        while True:
            with database(config["DATABASE_URL"]).transaction() as session:
                message = claim_next(session, started, terms.max_attempts, terms.length)
                if message is None:
                    break
                message_id, attempts, recipient = message.id, message.attempts, message.recipient
            try:
                email = compose(message, settings.sender)
                connection = connection or open_smtp(settings)
                connection.send_message(email, from_addr=envelope_sender(settings.sender), to_addrs=[recipient])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException, ValueError) as error:
                # This one message is at fault (refused by the server, or a malformed stored row); carry on.
                _failed(config, terms, message_id, attempts, error)
                result.failed += 1
            except OSError as error:
                # Unreachable, timed out, TLS trouble or disconnected: the rest waits for the next pass.
                _failed(config, terms, message_id, attempts, error)
                result.failed += 1
                break
            else:
                with database(config["DATABASE_URL"]).transaction() as session:
                    mark_sent(session, message_id, utcnow())
                result.sent += 1
    finally:
        if connection is not None:
            _close(connection)
    return result


def _failed(config: Mapping[str, Any], terms: LeaseTerms, message_id: int, attempts: int, error: Exception) -> None:
    delay = terms.retry_delay(attempts)
    reason = f"{type(error).__name__}: {error}"[:2000]
    log.warning("kiln: email %d failed (attempt %d), retrying in %s: %s", message_id, attempts, delay, reason)
    with database(config["DATABASE_URL"]).transaction() as session:
        mark_failed(session, message_id, reason, utcnow() + delay)


def _close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except OSError:
        connection.close()


class MailSender(BackgroundWorker):
    """Drains the outbox every MAIL_POLL_INTERVAL seconds, and at once when woken."""

    name = "kiln-mail-sender"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        super().__init__(float(config["MAIL_POLL_INTERVAL"]))

    @classmethod
    def enabled(cls, config: Mapping[str, Any]) -> bool:
        """Send while email is on (MAIL_HOST, MAIL_FROM and SITE_URL set)."""
        return mail_enabled(config)

    @classmethod
    def for_app(cls, app: Flask) -> MailSender:
        """Send the app's outbox."""
        return cls(app.config)

    def work(self, ticket: int) -> None:
        """Try every due message once."""
        drain(self.config)


def start_sender(app: Flask) -> MailSender | None:
    """Return this process's sender, started, if email is on."""
    return MailSender.start_for(app)


def wake_sender(app: Flask) -> None:
    """Nudge this process's sender, if it runs, to send newly queued mail now."""
    MailSender.wake_for(app)
