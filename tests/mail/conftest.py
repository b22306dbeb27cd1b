"""Fixtures for the email tests: a real SMTP server on 127.0.0.1 and the service set up to use it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

SITE_URL = "http://blog.example"
SENDER = "Kiln test <blog@example.org>"


@dataclass
class Received:
    """One message as the SMTP server got it: the envelope, the bytes on the wire and the parsed content."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message and accept it."""
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.arrived:
            received = Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, envelope.original_content)
            self.received.append(received)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until count messages have arrived (bounded), and return them all."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
        return list(self.received)


class SmtpServer:
    """A real SMTP server on a loopback port, which can be stopped and started again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.recorder = Recorder()
        self._controller: Controller | None = None

    def start(self) -> None:
        """Listen on the port."""
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening, if listening."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        """Every message accepted so far."""
        return list(self.recorder.received)


def free_port() -> int:
    """Return a loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """An SMTP server that is not started yet: its port refuses connections until the test starts it."""
    server = SmtpServer(free_port())
    yield server
    server.stop()


def mail_settings(port: int) -> dict[str, Any]:
    """The settings that switch email on, pointed at a local server."""
    return {
        "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_SECURITY": "none",
        "MAIL_FROM": SENDER,
        "MAIL_TIMEOUT": 5,
        "SITE_URL": SITE_URL,
    }


@pytest.fixture
def mail_app(app: Flask, smtp_server: SmtpServer) -> Flask:
    """The service with email on, sending to the recording server."""
    app.config.update(mail_settings(smtp_server.port))
    return app


def wait_until(condition: Any, timeout: float = 10.0) -> bool:
    """Poll condition until it holds or the (bounded) timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())
