"""Steps the email tests share: accounts with an address, submitting, sending, reading links."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments_service.moderation.accounts import create_user
from comments_service.notify.sender import DrainResult, drain
from comments_service.store.database import database
from comments_service.store.models import Comment, OutboxMessage, Role

from .conftest import Received

JSON = {"Accept": "application/json"}
MOD_EMAIL = "editor@example.org"


def add_account(app: Flask, username: str = "editor", email: str = MOD_EMAIL, role: Role = Role.MODERATOR) -> int:
    """Create an account with an email address and return its id."""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return create_user(session, username, "correct horse battery", role=role, email=email).id


def submit(client: FlaskClient, **fields: str) -> int:
    """Post a comment on the open post as a JSON client and return its id."""
    data = {"author": "Piet", "body": "Helemaal eens.", **fields}
    response = client.post("/comments/open-post/", data=data, headers=JSON)
    assert response.status_code == 202, response.get_data(as_text=True)
    return int(response.get_json()["id"])


def send(app: Flask, now: datetime | None = None) -> DrainResult:
    """Run one pass of the outbox sender, as `flask send-mail` does."""
    return drain(app.config, now)


def raw_headers(received: Received) -> dict[str, str]:
    """Map each header name to its value as sent, as a mail client reads it (folds kept as CRLF and a space)."""
    head = received.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    found = re.finditer(r"^([\w-]+):[ ]?(.*?)(?=\r\n(?![ \t])|\Z)", head, re.MULTILINE | re.DOTALL)
    return {match.group(1): match.group(2) for match in found}


def body(received: Received) -> str:
    """Return the text body of a received message."""
    part = received.message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


def moderation_links(received: Received) -> dict[str, str]:
    """Map each action in a moderator's message to the path of its link."""
    found = re.findall(r"^(Approve|Mark as spam|Delete):\s+(\S+)$", body(received), flags=re.MULTILINE)
    names = {"Approve": "approve", "Mark as spam": "spam", "Delete": "delete"}
    return {names[label]: url for label, url in found}


def path_of(url: str) -> str:
    """Return the path of an absolute link, for Flask's test client."""
    return urlsplit(url).path


def outbox(app: Flask) -> list[OutboxMessage]:
    """Return every row of the outbox, oldest first."""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def comment(app: Flask, comment_id: int) -> Comment:
    """Load one comment as stored."""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        found = session.get(Comment, comment_id)
        assert found is not None
        return found
