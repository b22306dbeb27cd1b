"""Editing a comment's body and replying as the post author, from the queue or the thread view."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments_service.events import comment_state_changed
from comments_service.store.comments import NewCommentRecord, add_comment
from comments_service.store.database import database
from comments_service.store.models import AuditEntry, Comment, Role, State
from comments_service.store.threads import get_thread

from .helpers import add_account, login, moderation_token

JSON = {"Accept": "application/json"}


def _add(app: Flask, state: State = State.APPROVED, **fields: object) -> int:
    values: dict[str, object] = {"author": "Piet", "body_source": "Origineel", "body_html": "<p>Origineel</p>"}
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, "open-post")
        assert thread is not None
        return add_comment(session, NewCommentRecord(thread_id=thread.id, state=state, **(values | fields))).id


def _comment(app: Flask, comment_id: int) -> Comment:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        return comment


def _audit(app: Flask) -> list[tuple[str, int | None, dict[str, Any]]]:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.comment_id, json.loads(e.detail or "{}")) for e in rows]


def _page(output: Path) -> str:
    return (output / "open-post.html").read_text(encoding="utf-8")


@pytest.fixture
def changes() -> Iterator[list[dict[str, Any]]]:
    """Every comment_state_changed event sent during the test."""
    seen: list[dict[str, Any]] = []

    def receiver(sender: object, **event: Any) -> None:
        seen.append(event)

    comment_state_changed.connect(receiver)
    yield seen
    comment_state_changed.disconnect(receiver)


def test_editing_resanitises_keeps_the_original_and_bakes(mod_client: FlaskClient, app: Flask, output: Path) -> None:
    comment_id = _add(app, body_source="Origineel", body_html="<p>Origineel</p>")
    new = "Nu **beter** <script>alert(1)</script> <a href='javascript:alert(2)'>klik</a>"
    response = mod_client.post(
        f"/moderate/comments/{comment_id}/edit", data={"csrf_token": moderation_token(mod_client), "body": new}
    )
    assert response.status_code == 303
    edited = _comment(app, comment_id)
    assert edited.body_source == new and edited.updated is not None
    assert "<strong>beter</strong>" in edited.body_html
    assert "<script" not in edited.body_html and "javascript:" not in edited.body_html
    assert "<strong>beter</strong>" in _page(output) and "Origineel" not in _page(output)
    [(action, logged_id, detail)] = _audit(app)
    assert (action, logged_id) == ("edit", comment_id)
    assert detail["old_source"] == "Origineel" and detail["old_html"] == "<p>Origineel</p>"
    assert detail["new_source"] == new and detail["body_format"] == "markdown"


def test_editing_keeps_the_comments_own_format(mod_client: FlaskClient, app: Flask) -> None:
    comment_id = _add(app, body_format="text", body_source="oud", body_html="<p>oud</p>")
    token = moderation_token(mod_client)
    mod_client.post(f"/moderate/comments/{comment_id}/edit", data={"csrf_token": token, "body": "*geen* <i>opmaak</i>"})
    assert _comment(app, comment_id).body_html == "<p>*geen* &lt;i&gt;opmaak&lt;/i&gt;</p>"


def test_an_empty_edit_is_refused(mod_client: FlaskClient, app: Flask) -> None:
    comment_id = _add(app)
    token = moderation_token(mod_client)
    response = mod_client.post(
        f"/moderate/comments/{comment_id}/edit", data={"csrf_token": token, "body": "  "}, headers=JSON
    )
    assert response.status_code == 400 and response.get_json()["errors"] == {"body": "is required"}
    assert _comment(app, comment_id).body_source == "Origineel" and _audit(app) == []


def test_the_original_of_an_edit_is_visible_to_admins_only(client: FlaskClient, app: Flask) -> None:
    comment_id = _add(app, body_source="Eerste versie")
    add_account(app, "boss", Role.ADMIN)
    login(client, "boss")
    token = moderation_token(client)
    client.post(f"/moderate/comments/{comment_id}/edit", data={"csrf_token": token, "body": "Tweede versie"})
    assert "Eerste versie" in client.get("/moderate/admin/audit").get_data(as_text=True)
    assert "Eerste versie" in client.get(f"/moderate/comments/{comment_id}").get_data(as_text=True)
    add_account(app, "moddy", Role.MODERATOR)
    other = app.test_client()
    login(other, "moddy")
    assert "Eerste versie" not in other.get(f"/moderate/comments/{comment_id}").get_data(as_text=True)


def test_replying_to_a_pending_comment_approves_it_and_publishes_the_reply(
    mod_client: FlaskClient, app: Flask, output: Path, changes: list[dict[str, Any]]
) -> None:
    parent = _add(app, state=State.PENDING, body_source="Een vraag", body_html="<p>Een vraag</p>")
    token = moderation_token(mod_client)
    assert f'action="/moderate/comments/{parent}/reply"' in mod_client.get("/moderate/").get_data(as_text=True)
    response = mod_client.post(
        f"/moderate/comments/{parent}/reply", data={"csrf_token": token, "body": "Een **antwoord**"}, headers=JSON
    )
    assert response.status_code == 200
    reply_id = response.get_json()["id"]
    reply = _comment(app, reply_id)
    assert reply.state == State.APPROVED and reply.by_post_author and reply.parent_id == parent
    assert reply.author == "Rikkert Walbeek" and reply.body_html == "<p>Een <strong>antwoord</strong></p>"
    assert _comment(app, parent).state == State.APPROVED
    page = _page(output)
    parent_at, reply_at = page.index(f'id="comment-{parent}"'), page.index(f'id="comment-{reply_id}"')
    assert parent_at < reply_at and 'class="comment depth-2 bypostauthor"' in page[reply_at - 60 : reply_at + 80]
    assert [(a, c) for a, c, _ in _audit(app)] == [("approve", parent), ("reply", reply_id)]
    assert [(e["comment"].id, e["old_state"], e["new_state"]) for e in changes] == [
        (parent, State.PENDING, State.APPROVED),
        (reply_id, None, State.APPROVED),
    ]


def test_a_reply_respects_the_maximum_depth(mod_client: FlaskClient, app: Flask) -> None:
    chain: list[int] = []
    for depth in range(5):
        chain.append(_add(app, parent_id=chain[-1] if chain else None, body_source=f"Niveau {depth + 1}"))
    token = moderation_token(mod_client)
    response = mod_client.post(
        f"/moderate/comments/{chain[-1]}/reply", data={"csrf_token": token, "body": "Diep"}, headers=JSON
    )
    # Depth 6 is past the limit of 5, so the reply joins depth 5 as a sibling.
    assert response.get_json()["parent_id"] == chain[3]


def test_spam_and_deleted_comments_take_no_reply(mod_client: FlaskClient, app: Flask) -> None:
    token = moderation_token(mod_client)
    for state in (State.SPAM, State.DELETED):
        comment_id = _add(app, state=state)
        response = mod_client.post(
            f"/moderate/comments/{comment_id}/reply", data={"csrf_token": token, "body": "Hoi"}, headers=JSON
        )
        assert response.status_code == 409
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert session.scalars(select(Comment).where(Comment.by_post_author.is_(True))).all() == []


def test_the_thread_view_shows_every_state_and_takes_replies(mod_client: FlaskClient, app: Flask, output: Path) -> None:
    ids = {
        state: _add(app, state=state, body_source=f"In {state.value}", body_html=f"<p>In {state.value}</p>")
        for state in State
    }
    html = mod_client.get("/moderate/threads/open-post").get_data(as_text=True)
    for state, comment_id in ids.items():
        assert f'id="mod-{comment_id}"' in html and f"In {state.value}" in html
    assert 'action="/moderate/threads/open-post/close"' in html
    assert f'action="/moderate/comments/{ids[State.APPROVED]}/reply"' in html
    assert f'action="/moderate/comments/{ids[State.SPAM]}/reply"' not in html
    token = moderation_token(mod_client)
    response = mod_client.post(
        f"/moderate/comments/{ids[State.APPROVED]}/reply",
        data={"csrf_token": token, "body": "Vanuit de draad"},
        headers={"Referer": "http://localhost/moderate/threads/open-post"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "http://localhost/moderate/threads/open-post"
    assert "Vanuit de draad" in _page(output)
    assert "Vanuit de draad" in mod_client.get("/moderate/threads/open-post").get_data(as_text=True)


def test_deleting_a_comment_with_replies_leaves_a_placeholder(
    mod_client: FlaskClient, app: Flask, output: Path
) -> None:
    parent = _add(app, body_source="Verdwijnt", body_html="<p>Verdwijnt</p>")
    reply = _add(app, parent_id=parent, body_source="Blijft", body_html="<p>Blijft</p>")
    response = mod_client.post(f"/moderate/comments/{parent}/delete", data={"csrf_token": moderation_token(mod_client)})
    assert response.status_code == 303
    page = _page(output)
    assert "Verdwijnt" not in page and "Comment deleted." in page and "Blijft" in page
    assert page.index(f'id="comment-{parent}"') < page.index(f'id="comment-{reply}"')
