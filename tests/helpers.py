"""Small helpers the tests share: pulling CSRF tokens out of pages, accounts and logins."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.test import TestResponse

from comments_service.moderation.accounts import create_user
from comments_service.store.database import database
from comments_service.store.models import Role

# A write with a unique key (bake_jobs.slug) and nothing else attached, for tests of how writes are committed.
INSERT_BAKE_JOB = text(
    "INSERT INTO bake_jobs (slug, version, requested, attempts, last_error) VALUES (:slug, 1, '2020-01-01', 0, '') "
    "RETURNING id"
)


def csrf_token_from(html: str) -> str:
    """Pull the CSRF token out of a rendered form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def moderation_token(client: FlaskClient) -> str:
    """Return a valid CSRF token for the logged-in client's session."""
    return csrf_token_from(client.get("/moderate/").get_data(as_text=True))


PASSWORD = "correct horse battery"


def add_account(app: Flask, username: str, role: Role, display_name: str = "", password: str = PASSWORD) -> int:
    """Create an account in the app's store and return its id."""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return create_user(session, username, password, role, display_name).id


def login(client: FlaskClient, username: str, password: str = PASSWORD, expect: int = 303) -> TestResponse:
    """Log a client in through the login form."""
    token = csrf_token_from(client.get("/moderate/login").get_data(as_text=True))
    response = client.post("/moderate/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == expect, response.get_data(as_text=True)
    return response


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Wait until check() holds; tell whether it did within timeout."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def eventually_in(path: Path, text: str, timeout: float = 10.0) -> bool:
    """Wait until a baked file contains text (reader comments are baked just after the answer)."""
    return eventually(lambda: text in path.read_text(encoding="utf-8"), timeout)
