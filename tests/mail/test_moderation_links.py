"""The signed links in a moderator's email: a confirmation page on GET, the action on POST, refusals otherwise."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import itsdangerous.timed
import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments_service.events import comment_state_changed
from comments_service.store.database import database
from comments_service.store.models import Comment, State, User

from ..helpers import csrf_token_from
from .conftest import SmtpServer
from .helpers import add_account, comment, moderation_links, path_of, send, submit

SEVEN_DAYS = 7 * 24 * 3600


def _links(
    app: Flask, client: FlaskClient, server: SmtpServer, text: str = "Een mening over verkoop."
) -> tuple[int, dict[str, str]]:
    comment_id = submit(client, body=text)
    send(app)
    (mail,) = server.recorder.wait_for(1)
    return comment_id, {action: path_of(url) for action, url in moderation_links(mail).items()}


@pytest.fixture
def moderated(mail_app: Flask, smtp_server: SmtpServer) -> Flask:
    """The service with email on and one moderator account with an address."""
    add_account(mail_app)
    return mail_app


def test_following_a_link_shows_a_confirmation_page_and_changes_nothing(
    moderated: Flask, client: FlaskClient, smtp_server: SmtpServer, output: Path
) -> None:
    comment_id, links = _links(moderated, client, smtp_server)
    page_before = (output / "open-post.html").read_bytes()
    steps = (
        ("approve", "Approve", "Approve this comment?"),
        ("spam", "Mark as spam", "Mark this comment as spam?"),
        ("delete", "Delete", "Delete this comment?"),
    )
    for action, label, question in steps:
        response = client.get(links[action])
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert f"<h1>{question}</h1>" in html and "Een mening over verkoop." in html
        assert f'class="action-{action}">{label}</button>' in html
    assert comment(moderated, comment_id).state == State.PENDING
    assert (output / "open-post.html").read_bytes() == page_before


def test_posting_the_confirmation_approves_and_bakes_the_page(
    moderated: Flask, client: FlaskClient, smtp_server: SmtpServer, output: Path
) -> None:
    comment_id, links = _links(moderated, client, smtp_server)
    assert "Een mening over verkoop." not in (output / "open-post.html").read_text()
    actors: list[object] = []

    def record(_app: Flask, actor: User | None, **_: object) -> None:
        actors.append(actor.username if actor else None)

    comment_state_changed.connect(record)
    try:
        token = csrf_token_from(client.get(links["approve"]).get_data(as_text=True))
        response = client.post(links["approve"], data={"csrf_token": token})
    finally:
        comment_state_changed.disconnect(record)
    assert response.status_code == 200 and "Comment approved." in response.get_data(as_text=True)
    assert comment(moderated, comment_id).state == State.APPROVED
    assert f'id="comment-{comment_id}"' in (output / "open-post.html").read_text()
    assert actors == ["editor"]
    # Once moderated, the other links of the same message do nothing more.
    later = client.get(links["delete"]).get_data(as_text=True)
    assert "no longer awaiting moderation" in later and "<button" not in later.split("<main>")[1]
    assert client.post(links["delete"], data={"csrf_token": token}).status_code == 409
    assert comment(moderated, comment_id).state == State.APPROVED


@pytest.mark.parametrize(("action", "state"), [("spam", State.SPAM), ("delete", State.DELETED)])
def test_spam_and_delete_links_do_what_they_say(
    moderated: Flask, client: FlaskClient, smtp_server: SmtpServer, action: str, state: State
) -> None:
    comment_id, links = _links(moderated, client, smtp_server)
    token = csrf_token_from(client.get(links[action]).get_data(as_text=True))
    assert client.post(links[action], data={"csrf_token": token}).status_code == 200
    assert comment(moderated, comment_id).state == state


def test_the_post_needs_the_form_token(moderated: Flask, client: FlaskClient, smtp_server: SmtpServer) -> None:
    comment_id, links = _links(moderated, client, smtp_server)
    assert client.post(links["approve"]).status_code == 400
    assert client.post(links["approve"], data={"csrf_token": "forged"}).status_code == 400
    assert comment(moderated, comment_id).state == State.PENDING


def _at(monkeypatch: pytest.MonkeyPatch, offset: float) -> None:
    """Make the link signer's clock read `offset` seconds from now."""
    now = time.time()
    monkeypatch.setattr(itsdangerous.timed, "time", SimpleNamespace(time=lambda: now + offset))


def test_an_expired_link_is_refused_and_changes_nothing(
    moderated: Flask, client: FlaskClient, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    comment_id, links = _links(moderated, client, smtp_server)
    _at(monkeypatch, SEVEN_DAYS - 60)
    assert client.get(links["approve"]).status_code == 200
    _at(monkeypatch, SEVEN_DAYS + 60)
    page = client.get(links["approve"])
    assert page.status_code == 400 and "This moderation link has expired" in page.get_data(as_text=True)
    # A form token minted at the same moment, so only the link's age can refuse the post.
    token = csrf_token_from(client.get("/moderate/login").get_data(as_text=True))
    refused = client.post(links["approve"], data={"csrf_token": token})
    assert refused.status_code == 400 and "This moderation link has expired" in refused.get_data(as_text=True)
    assert comment(moderated, comment_id).state == State.PENDING


def test_the_max_age_is_a_setting(
    moderated: Flask, client: FlaskClient, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, links = _links(moderated, client, smtp_server)
    moderated.config["MAIL_LINK_MAX_AGE"] = 3600
    _at(monkeypatch, 3700)
    assert client.get(links["spam"]).status_code == 400


def _tampered(path: str) -> list[str]:
    prefix, token = path.rsplit("/", 1)
    payload, timestamp, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    return [
        f"{prefix}/{payload}.{timestamp}.{flipped}",
        f"{prefix}/{payload}x.{timestamp}.{signature}",
        f"{prefix}/{payload}.{timestamp}",
        f"{prefix}/not-a-token",
    ]


def test_a_tampered_link_is_refused_and_changes_nothing(
    moderated: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    comment_id, links = _links(moderated, client, smtp_server)
    token = csrf_token_from(client.get(links["approve"]).get_data(as_text=True))
    for path in _tampered(links["approve"]):
        assert client.get(path).status_code == 403, path
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path
    assert comment(moderated, comment_id).state == State.PENDING


def test_a_token_from_another_purpose_or_key_is_refused(
    moderated: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    _, links = _links(moderated, client, smtp_server)
    token = links["approve"].rsplit("/", 1)[1]
    assert client.get(f"/mail/unsubscribe/{token}").status_code == 403
    moderated.config["SECRET_KEY"] = "another-secret"
    assert client.get(links["approve"]).status_code == 403


def test_a_link_of_a_removed_account_no_longer_acts(
    moderated: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    comment_id, links = _links(moderated, client, smtp_server)
    token = csrf_token_from(client.get(links["approve"]).get_data(as_text=True))
    with database(moderated.config["DATABASE_URL"]).transaction() as session:
        for user in session.query(User).all():
            session.delete(user)
    assert client.post(links["approve"], data={"csrf_token": token}).status_code == 403
    assert comment(moderated, comment_id).state == State.PENDING


def test_a_link_for_a_vanished_comment_is_not_found(
    moderated: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    comment_id, links = _links(moderated, client, smtp_server)
    with database(moderated.config["DATABASE_URL"]).transaction() as session:
        session.delete(session.get(Comment, comment_id))
    assert client.get(links["approve"]).status_code == 404
