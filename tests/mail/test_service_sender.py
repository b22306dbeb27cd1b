"""The service under gunicorn runs the mail sender itself: a comment posted over HTTP reaches the moderator."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from .conftest import SmtpServer, free_port, mail_settings, wait_until
from .helpers import MOD_EMAIL, add_account

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def service(app: Flask, smtp_server: SmtpServer) -> Iterator[str]:
    """gunicorn serving the service on a loopback port, with email on and a poll a minute apart."""
    port = free_port()
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
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--config", "gunicorn.conf.py"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _answers(f"{base}/moderate/login"), 20), "gunicorn did not start"
        yield base
    finally:
        process.terminate()
        process.wait(20)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def test_a_comment_posted_to_the_running_service_is_mailed_without_the_cli(
    app: Flask, service: str, smtp_server: SmtpServer
) -> None:
    add_account(app)
    data = urllib.parse.urlencode({"author": "Piet", "body": "Via gunicorn."}).encode()
    request = urllib.request.Request(
        f"{service}/comments/open-post/", data=data, headers={"Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202
    (mail,) = smtp_server.recorder.wait_for(1, timeout=15)
    assert mail.rcpt_tos == [MOD_EMAIL] and "Via gunicorn." in mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
