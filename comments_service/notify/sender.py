"""Send what the outbox holds through SMTP: once from the CLI, or continually from a thread in each worker."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from ..store.database import session_scope
from ..store.models import utcnow
from .compose import compose, envelope_sender
from .mailconf import SmtpSettings, mail_enabled, smtp_settings
from .outbox import backoff, claim_next, mark_failed, mark_sent

log = logging.getLogger(__name__)
_EXTENSION_KEY = "kiln_mail_sender"


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


def drain(config: Mapping[str, Any], now: datetime | None = None) -> DrainResult:
    """Try every due message once; a failure waits for its next attempt, a dead server ends the pass."""
    settings = smtp_settings(config)
    started = now or utcnow()
    lease = timedelta(seconds=max(600.0, 20 * settings.timeout))
    result = DrainResult()
    connection: smtplib.SMTP | None = None
    try:
        while True:
            with session_scope(config["DATABASE_URL"]) as session:
                message = claim_next(session, started, int(config["MAIL_MAX_ATTEMPTS"]), lease)
                if message is None:
                    break
                message_id, attempts, recipient = message.id, message.attempts, message.recipient
            try:
                email = compose(message, settings.sender)
                connection = connection or open_smtp(settings)
                connection.send_message(email, from_addr=envelope_sender(settings.sender), to_addrs=[recipient])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException, ValueError) as error:
                # This one message is at fault (refused by the server, or a malformed stored row); carry on.
                _failed(config, message_id, attempts, error)
                result.failed += 1
            except OSError as error:
                # Unreachable, timed out, TLS trouble or disconnected: the rest waits for the next pass.
                _failed(config, message_id, attempts, error)
                result.failed += 1
                break
            else:
                with session_scope(config["DATABASE_URL"]) as session:
                    mark_sent(session, message_id, utcnow())
                result.sent += 1
    finally:
        if connection is not None:
            _close(connection)
    return result


def _failed(config: Mapping[str, Any], message_id: int, attempts: int, error: Exception) -> None:
    delay = backoff(attempts, float(config["MAIL_RETRY_DELAY"]), float(config["MAIL_RETRY_MAX_DELAY"]))
    reason = f"{type(error).__name__}: {error}"[:2000]
    log.warning("kiln: email %d failed (attempt %d), retrying in %s: %s", message_id, attempts, delay, reason)
    with session_scope(config["DATABASE_URL"]) as session:
        mark_failed(session, message_id, reason, utcnow() + delay)


def _close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except OSError:
        connection.close()


class MailSender:
    """A daemon thread that drains the outbox every MAIL_POLL_INTERVAL seconds, and at once when woken."""

    def __init__(self, app: Flask) -> None:
        self.config = app.config
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiln-mail-sender", daemon=True)

    def start(self) -> None:
        """Start sending in the background."""
        self._thread.start()

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self._wakeup.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current pass and end the thread."""
        self._stopping.set()
        self._wakeup.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wakeup.clear()
            try:
                drain(self.config)
            except SQLAlchemyError:
                # The store may be briefly unreachable; everything stays queued for the next pass.
                log.exception("kiln: the mail sender could not read the outbox")
            self._wakeup.wait(float(self.config["MAIL_POLL_INTERVAL"]))


def start_sender(app: Flask) -> MailSender | None:
    """Start the background sender for this process, if email is on; returns it (or None)."""
    if not mail_enabled(app.config):
        return None
    sender = MailSender(app)
    app.extensions[_EXTENSION_KEY] = sender
    sender.start()
    return sender


def wake_sender(app: Flask) -> None:
    """Nudge this process's sender, if it runs, to send newly queued mail now."""
    sender: MailSender | None = app.extensions.get(_EXTENSION_KEY)
    if sender is not None:
        sender.wake()
