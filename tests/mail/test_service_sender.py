"""The running service sends its mail itself, under gunicorn as under `flask run`, with no CLI command."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from comments_service.store.database import database
from comments_service.store.outbox import enqueue

from .conftest import SmtpServer, free_port, mail_settings, wait_until
from .helpers import MOD_EMAIL, add_account

REPO = Path(__file__).resolve().parents[2]


def _command(server: str, port: int) -> list[str]:
    if server == "gunicorn":
        return [str(Path(sys.executable).with_name("gunicorn")), "--config", "gunicorn.conf.py"]
    flask = Path(sys.executable).with_name("flask")
    return [str(flask), "--app", "comments_service", "run", "--host", "127.0.0.1", "--port", str(port)]


@pytest.fixture(params=["gunicorn", "flask run"])
def serve(request: pytest.FixtureRequest, app: Flask, smtp_server: SmtpServer) -> Iterator[Callable[[], str]]:
    """Start the service on a loopback port (under gunicorn or `flask run`) with email on and polls a minute apart."""
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> str:
        port = free_port()
        processes.append(_start(request.param, port, app, smtp_server))
        base = f"http://127.0.0.1:{port}"
        assert wait_until(lambda: _answers(f"{base}/moderate/login"), 20), f"{request.param} did not start"
        return base

    yield start
    for process in processes:
        process.terminate()
        process.wait(20)


def _start(server: str, port: int, app: Flask, smtp_server: SmtpServer) -> subprocess.Popen[bytes]:
    settings = {**mail_settings(smtp_server.port), "MAIL_POLL_INTERVAL": 60}
    env = {
        **os.environ,
        **{f"KILN_{name}": str(value) for name, value in settings.items()},
        "KILN_DATABASE_URL": app.config["DATABASE_URL"],
        "KILN_SITE_DIR": app.config["SITE_DIR"],
        "KILN_OUTPUT_PATH": app.config["OUTPUT_PATH"],
        "KILN_SECRET_KEY": "test-secret",
        "KILN_BIND": f"127.0.0.1:{port}",
        "KILN_WORKERS": "1",
    }
    return subprocess.Popen(
        _command(server, port), cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def test_a_comment_posted_to_the_running_service_is_mailed_without_the_cli(
    app: Flask, serve: Callable[[], str], smtp_server: SmtpServer
) -> None:
    add_account(app)
    service = serve()
    data = urllib.parse.urlencode({"author": "Piet", "body": "Via the service."}).encode()
    request = urllib.request.Request(
        f"{service}/comments/open-post/", data=data, headers={"Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202
    (mail,) = smtp_server.recorder.wait_for(1, timeout=15)
    assert mail.rcpt_tos == [MOD_EMAIL] and "Via the service." in mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_mail_queued_while_the_service_was_down_is_sent_once_it_runs(
    app: Flask, serve: Callable[[], str], smtp_server: SmtpServer
) -> None:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        enqueue(session, MOD_EMAIL, "Queued before the start", "Sent by the service, not by `flask send-mail`.")
    serve()
    # Nothing wakes the sender and its poll is a minute away: only its first pass, at start, can send this.
    (mail,) = smtp_server.recorder.wait_for(1, timeout=15)
    assert mail.message["Subject"] == "Queued before the start"
