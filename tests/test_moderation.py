"""Moderation: login, the queue, actions on comments and threads, and what they bake."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments_service.store.comments import NewCommentRecord, add_comment
from comments_service.store.database import database
from comments_service.store.models import AuditEntry, Comment, Role, State, User
from comments_service.store.threads import get_thread

from .helpers import add_account, csrf_token_from, login, moderation_token

JSON = {"Accept": "application/json"}
FORM = {"author": "Piet", "body": "Helemaal eens."}


def _submit(client: FlaskClient, body: str = "Helemaal eens.", parent: int | None = None) -> int:
    data = {**FORM, "body": body} | ({"parent": str(parent)} if parent else {})
    response = client.post("/comments/open-post/", data=data, headers=JSON)
    assert response.status_code == 202, response.get_data(as_text=True)
    return int(response.get_json()["id"])


def _state(app: Flask, comment_id: int) -> State:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        return comment.state


def _routes(app: Flask, comment_id: int = 1, user_id: int = 1) -> list[str]:
    """Every state-changing moderation and admin URL, with sample values filled in."""
    samples = {
        "comment_id": comment_id,
        "user_id": user_id,
        "slug": "open-post",
        "action": "approve",
        "change": "close",
        "folder": "spam",
    }
    urls = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/moderate/") and "POST" in (rule.methods or set()) and rule.endpoint != "auth.login":
            found.append(urls.build(rule.endpoint, {name: samples[name] for name in rule.arguments}))
    return sorted(found)


def test_the_route_list_covers_every_action(app: Flask) -> None:
    routes = _routes(app)
    expected = {
        "/moderate/comments/1/approve",
        "/moderate/comments/1/edit",
        "/moderate/comments/1/reply",
        "/moderate/bulk",
        "/moderate/threads/open-post/close",
        "/moderate/logout",
        "/moderate/admin/accounts/new",
        "/moderate/admin/accounts/1/role",
        "/moderate/admin/accounts/1/password",
        "/moderate/admin/accounts/1/remove",
        "/moderate/admin/accounts/1/language",
        "/moderate/language",
    }
    assert expected <= set(routes), expected - set(routes)


def test_every_moderation_route_refuses_without_a_session(client: FlaskClient, app: Flask) -> None:
    # A valid token for the anonymous session, so only the missing login can refuse.
    token = csrf_token_from(client.get("/moderate/login").get_data(as_text=True))
    for url in _routes(app):
        if url == "/moderate/logout":
            continue
        assert client.post(url, data={"csrf_token": token}, headers=JSON).status_code == 401, url
        browser = client.post(url, data={"csrf_token": token})
        assert browser.status_code == 302 and "/moderate/login" in browser.headers["Location"], url


def test_every_moderation_route_refuses_without_or_with_a_wrong_csrf_token(
    client: FlaskClient, app: Flask, output: Path
) -> None:
    admin_id = add_account(app, "boss", Role.ADMIN)
    login(client, "boss")
    comment_id = _submit(client)
    page = (output / "open-post.html").read_text(encoding="utf-8")
    for url in _routes(app, comment_id, admin_id):
        data = {"body": "Overgenomen", "ids": str(comment_id), "action": "approve", "role": "author"}
        data |= {"password": "a new password", "username": "intruder"}
        assert client.post(url, data=data).status_code == 400, url
        assert client.post(url, data={**data, "csrf_token": "forged"}).status_code == 400, url
    assert _state(app, comment_id) == State.PENDING
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert session.scalars(select(AuditEntry)).all() == []
        assert [(u.username, u.role) for u in session.scalars(select(User))] == [("boss", Role.ADMIN)]
    assert (output / "open-post.html").read_text(encoding="utf-8") == page
    assert client.get("/moderate/").status_code == 200


def _add_comment(app: Flask, state: State) -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, "open-post")
        assert thread is not None
        record = NewCommentRecord(
            thread_id=thread.id, state=state, author="Piet", body_source="x", body_html="<p>x</p>"
        )
        return add_comment(session, record).id


# Changes that cannot be undone: their GET is the page that asks first, whose form posts to the same address.
ASKS_FIRST = {"/moderate/comments/1/purge", "/moderate/empty/spam"}


def test_every_moderation_route_refuses_get(mod_client: FlaskClient, app: Flask) -> None:
    routes = _routes(app)
    assert set(routes) >= ASKS_FIRST
    for url in routes:
        if url in ASKS_FIRST:
            continue
        assert mod_client.get(url).status_code == 405, url
    assert _add_comment(app, State.SPAM) == 1
    for url in ASKS_FIRST:
        page = mod_client.get(url)
        assert page.status_code == 200 and f'<form method="post" action="{url}"' in page.get_data(as_text=True), url


def test_anonymous_queue_redirects_to_login(client: FlaskClient) -> None:
    response = client.get("/moderate/")
    assert response.status_code == 302 and "/moderate/login" in response.headers["Location"]
    assert client.get("/moderate/", headers=JSON).status_code == 401


def test_wrong_password_is_refused(client: FlaskClient, moderator: tuple[str, str]) -> None:
    token = csrf_token_from(client.get("/moderate/login").get_data(as_text=True))
    response = client.post("/moderate/login", data={"username": moderator[0], "password": "nope", "csrf_token": token})
    assert response.status_code == 401
    assert client.get("/moderate/").status_code == 302


def test_login_next_only_goes_to_local_paths(client: FlaskClient, moderator: tuple[str, str]) -> None:
    token = csrf_token_from(client.get("/moderate/login").get_data(as_text=True))
    data = {"username": moderator[0], "password": moderator[1], "csrf_token": token}
    response = client.post("/moderate/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/moderate/"


def test_logout_ends_the_session(mod_client: FlaskClient) -> None:
    token = moderation_token(mod_client)
    assert mod_client.post("/moderate/logout", data={"csrf_token": token}).status_code == 303
    assert mod_client.get("/moderate/").status_code == 302


def test_queue_shows_pending_comments_with_their_details(mod_client: FlaskClient) -> None:
    _submit(mod_client, body="Een **vet** punt")
    html = mod_client.get("/moderate/").get_data(as_text=True)
    assert "<strong>vet</strong>" in html and "Piet" in html and "Open post" in html and "127.0.0.1" in html


@pytest.mark.parametrize(
    ("action", "state"),
    [("approve", State.APPROVED), ("spam", State.SPAM), ("delete", State.DELETED), ("reject", State.DELETED)],
)
def test_actions_set_the_state_and_bake(
    mod_client: FlaskClient, app: Flask, output: Path, action: str, state: State
) -> None:
    comment_id = _submit(mod_client, body="Unieke tekst 42")
    response = mod_client.post(
        f"/moderate/comments/{comment_id}/{action}", data={"csrf_token": moderation_token(mod_client)}
    )
    assert response.status_code == 303
    assert _state(app, comment_id) == state
    shown = "Unieke tekst 42" in (output / "open-post.html").read_text(encoding="utf-8")
    assert shown == (state == State.APPROVED)


def test_deleting_an_approved_comment_removes_it_from_the_page(mod_client: FlaskClient, output: Path) -> None:
    token = moderation_token(mod_client)
    comment_id = _submit(mod_client, body="Straks weg")
    mod_client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": token})
    assert "Straks weg" in (output / "open-post.html").read_text(encoding="utf-8")
    mod_client.post(f"/moderate/comments/{comment_id}/delete", data={"csrf_token": token})
    html = (output / "open-post.html").read_text(encoding="utf-8")
    assert "Straks weg" not in html and f'id="comment-{comment_id}"' not in html


def test_unknown_comment_or_action_is_404(mod_client: FlaskClient) -> None:
    token = moderation_token(mod_client)
    assert mod_client.post("/moderate/comments/999999/approve", data={"csrf_token": token}).status_code == 404
    comment_id = _submit(mod_client)
    assert mod_client.post(f"/moderate/comments/{comment_id}/explode", data={"csrf_token": token}).status_code == 404
    assert mod_client.post("/moderate/threads/nope/close", data={"csrf_token": token}).status_code == 404


def test_close_and_reopen_a_thread(mod_client: FlaskClient, output: Path) -> None:
    token = moderation_token(mod_client)
    page = output / "open-post.html"
    assert mod_client.post("/moderate/threads/open-post/close", data={"csrf_token": token}).status_code == 303
    html = page.read_text(encoding="utf-8")
    assert "Comments on this entry are closed." in html and "<form" not in html
    assert mod_client.post("/comments/open-post/", data=FORM, headers=JSON).status_code == 403
    assert mod_client.post("/moderate/threads/open-post/open", data={"csrf_token": token}).status_code == 303
    html = page.read_text(encoding="utf-8")
    assert "Comments on this entry are closed." not in html and 'action="/comments/open-post/"' in html
    assert mod_client.post("/comments/open-post/", data=FORM, headers=JSON).status_code == 202


def test_submissions_are_rate_limited_per_address(client: FlaskClient, app: Flask) -> None:
    app.config["SUBMIT_RATE_LIMIT"] = "2 per minute"
    assert _submit(client, body="een")
    assert _submit(client, body="twee")
    response = client.post("/comments/open-post/", data={**FORM, "body": "drie"}, headers=JSON)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
