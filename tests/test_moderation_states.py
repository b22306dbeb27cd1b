"""WordPress's states and actions: pending, approved, spam and trash; each action undoable from its confirmation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments_service.store.comments import NewCommentRecord, add_comment
from comments_service.store.database import database
from comments_service.store.models import AuditEntry, Comment, State
from comments_service.store.threads import get_thread

from .helpers import moderation_token

JSON = {"Accept": "application/json"}


def _add(app: Flask, state: State, author: str = "Anna de Vries") -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, "open-post")
        assert thread is not None
        record = NewCommentRecord(
            thread_id=thread.id, state=state, author=author, body_source="Tekst", body_html="<p>Tekst</p>"
        )
        return add_comment(session, record).id


def _state(app: Flask, comment_id: int) -> State:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        return comment.state


def _buttons(html: str, comment_id: int) -> list[str]:
    item = html.split(f'id="queue-{comment_id}"', 1)[1].split("</li>", 1)[0]
    return re.findall(r'class="action-([a-z-]+)"', item)


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        (State.PENDING, ["approve", "spam", "trash"]),
        (State.APPROVED, ["unapprove", "spam", "trash"]),
        (State.SPAM, ["not-spam", "trash", "purge"]),
        (State.DELETED, ["restore", "purge"]),
    ],
)
def test_each_state_offers_its_own_actions(
    app: Flask, mod_client: FlaskClient, state: State, offered: list[str]
) -> None:
    comment_id = _add(app, state)
    html = mod_client.get(f"/moderate/?state={state.value}").get_data(as_text=True)
    assert _buttons(html, comment_id) == offered


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (State.PENDING, "approve", State.APPROVED),
        (State.APPROVED, "unapprove", State.PENDING),
        (State.PENDING, "spam", State.SPAM),
        (State.SPAM, "not-spam", State.PENDING),
        (State.APPROVED, "trash", State.DELETED),
        (State.DELETED, "restore", State.PENDING),
    ],
)
def test_every_action_says_whose_comment_on_which_post_and_can_be_undone(
    app: Flask, mod_client: FlaskClient, output: Path, start: State, action: str, end: State
) -> None:
    comment_id = _add(app, start)
    token = moderation_token(mod_client)
    page = mod_client.post(
        f"/moderate/comments/{comment_id}/{action}", data={"csrf_token": token}, follow_redirects=True
    )
    html = page.get_data(as_text=True)
    assert _state(app, comment_id) == end
    assert "Anna de Vries&#39;s comment on Open post" in html and f"Comment {comment_id}" not in html
    # The confirmation carries the way back.
    form = re.search(r'<form method="post" action="(/moderate/comments/\d+/undo)".*?</form>', html, re.S)
    assert form, html
    fields = dict(re.findall(r'name="(to|from)" value="([a-z]+)"', form.group(0)))
    assert fields == {"to": start.value, "from": end.value}
    undone = mod_client.post(form.group(1), data={"csrf_token": token, **fields}, follow_redirects=True)
    assert "is back as it was" in undone.get_data(as_text=True)
    assert _state(app, comment_id) == start
    published = "<p>Tekst</p>" in (output / "open-post.html").read_text(encoding="utf-8")
    assert published == (start == State.APPROVED), "the page is baked again after the undo"
    with database(app.config["DATABASE_URL"]).transaction() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.comment_id == comment_id)))
    assert actions == [action, "undo"]


def test_an_undo_after_another_change_changes_nothing(app: Flask, mod_client: FlaskClient) -> None:
    comment_id = _add(app, State.PENDING)
    token = moderation_token(mod_client)
    mod_client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": token})
    mod_client.post(f"/moderate/comments/{comment_id}/spam", data={"csrf_token": token})
    late = {"csrf_token": token, "to": "pending", "from": "approved"}
    answer = mod_client.post(f"/moderate/comments/{comment_id}/undo", data=late, headers=JSON)
    assert answer.status_code == 409 and _state(app, comment_id) == State.SPAM
    nonsense = {"csrf_token": token, "to": "gone", "from": "spam"}
    assert mod_client.post(f"/moderate/comments/{comment_id}/undo", data=nonsense, headers=JSON).status_code == 400
    assert mod_client.post(f"/moderate/comments/{comment_id}/undo", data=late | {"csrf_token": ""}).status_code == 400
    assert _state(app, comment_id) == State.SPAM


def test_bulk_actions_cover_every_state_change(app: Flask, mod_client: FlaskClient) -> None:
    ids = [_add(app, State.APPROVED, author=f"Lezer {n}") for n in range(3)]
    token = moderation_token(mod_client)
    for action, end in [("unapprove", State.PENDING), ("spam", State.SPAM), ("not-spam", State.PENDING),
                        ("trash", State.DELETED), ("restore", State.PENDING), ("approve", State.APPROVED)]:  # fmt: skip
        answer = mod_client.post(
            "/moderate/bulk", data={"csrf_token": token, "action": action, "ids": [str(i) for i in ids]}, headers=JSON
        )
        assert answer.status_code == 200, (action, answer.get_json())
        assert {_state(app, i) for i in ids} == {end}, action


def test_every_moderation_page_shows_how_many_wait(app: Flask, mod_client: FlaskClient) -> None:
    for _ in range(3):
        _add(app, State.PENDING)
    comment_id = _add(app, State.APPROVED)
    for path in (
        "/moderate/",
        "/moderate/?state=spam",
        f"/moderate/comments/{comment_id}",
        "/moderate/threads/open-post",
    ):
        html = mod_client.get(path).get_data(as_text=True)
        assert '<span class="pending-count">(3 pending)</span>' in html, path


def test_delete_permanently_asks_first_and_only_takes_spam_or_trash(
    app: Flask, mod_client: FlaskClient, output: Path
) -> None:
    parent = _add(app, State.DELETED, author="Weg")
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, "open-post")
        assert thread is not None
        record = NewCommentRecord(
            thread_id=thread.id, parent_id=parent, state=State.APPROVED, author="Blijft", body_source="Antwoord",
            body_html="<p>Antwoord</p>",
        )  # fmt: skip
        reply = add_comment(session, record).id
    token = moderation_token(mod_client)
    trash = mod_client.get("/moderate/?state=deleted").get_data(as_text=True)
    assert f'href="/moderate/comments/{parent}/purge" class="action-purge"' in trash
    question = mod_client.get(f"/moderate/comments/{parent}/purge").get_data(as_text=True)
    assert "Delete Weg&#39;s comment on Open post permanently?" in question and "cannot be undone" in question
    assert _state(app, parent) == State.DELETED, "asking changes nothing"
    refused = mod_client.post(f"/moderate/comments/{reply}/purge", data={"csrf_token": token}, headers=JSON)
    assert refused.status_code == 409, "a published comment goes to the trash first"
    gone = mod_client.post(f"/moderate/comments/{parent}/purge", data={"csrf_token": token})
    assert gone.status_code == 303 and gone.headers["Location"] == "/moderate/?state=deleted"
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert session.get(Comment, parent) is None
        moved = session.get(Comment, reply)
        assert moved is not None and moved.parent_id is None, "its reply moves up"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "purge"))
        assert entry is not None and entry.comment_id == parent and '"old_author": "Weg"' in entry.detail
    page = (output / "open-post.html").read_text(encoding="utf-8")
    assert "<p>Antwoord</p>" in page and "comment-placeholder" not in page


def test_emptying_the_spam_folder_and_the_trash(app: Flask, mod_client: FlaskClient) -> None:
    spam = [_add(app, State.SPAM) for _ in range(3)]
    trash = [_add(app, State.DELETED) for _ in range(2)]
    kept = _add(app, State.PENDING)
    token = moderation_token(mod_client)
    assert 'href="/moderate/empty/spam"' in mod_client.get("/moderate/?state=spam").get_data(as_text=True)
    question = mod_client.get("/moderate/empty/spam").get_data(as_text=True)
    assert "Delete all 3 comments in the spam folder permanently?" in question
    emptied = mod_client.post("/moderate/empty/spam", data={"csrf_token": token}, follow_redirects=True)
    assert "Deleted 3 comments permanently." in emptied.get_data(as_text=True)
    assert mod_client.post("/moderate/empty/trash", data={"csrf_token": token}, headers=JSON).get_json() == {"count": 2}
    assert mod_client.post("/moderate/empty/approved", data={"csrf_token": token}).status_code == 404
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert [session.get(Comment, i) for i in spam + trash] == [None] * 5
        assert session.get(Comment, kept) is not None


def test_after_an_action_the_queue_comes_back_at_the_next_item(app: Flask, mod_client: FlaskClient) -> None:
    ids = [_add(app, State.PENDING, author=f"Lezer {n}") for n in range(3)]
    html = mod_client.get("/moderate/").get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'id="queue-(\d+)"', html)]
    assert sorted(shown) == sorted(ids)
    first, second = shown[0], shown[1]
    form = html.split(f'action="/moderate/comments/{first}/approve"', 1)[1].split("</form>", 1)[0]
    then = re.search(r'name="then" value="([^"]+)"', form)
    assert then and then.group(1) == f"queue-{second}"
    token = moderation_token(mod_client)
    answer = mod_client.post(
        f"/moderate/comments/{first}/approve",
        data={"csrf_token": token, "then": then.group(1)},
        headers={"Referer": "http://localhost/moderate/?state=pending"},
    )
    assert answer.headers["Location"] == f"http://localhost/moderate/?state=pending#queue-{second}"
    # Anything else in the field is ignored: the page comes back as it was.
    odd = mod_client.post(
        f"/moderate/comments/{second}/approve",
        data={"csrf_token": token, "then": "x#evil"},
        headers={"Referer": "http://localhost/moderate/"},
    )
    assert odd.headers["Location"] == "http://localhost/moderate/"


def test_a_bulk_action_with_nothing_ticked_says_so_in_words(app: Flask, mod_client: FlaskClient) -> None:
    token = moderation_token(mod_client)
    page = mod_client.post("/moderate/bulk", data={"csrf_token": token, "action": "approve"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Tick at least one comment." in html and "ids" not in html.split("Tick at least one comment.")[1][:80]


def test_long_comments_fold_and_quotes_stand_out(app: Flask, mod_client: FlaskClient) -> None:
    long_text = "Een lange gedachte. " * 60
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, "open-post")
        assert thread is not None
        record = NewCommentRecord(
            thread_id=thread.id, state=State.PENDING, author="Lang", body_source=long_text,
            body_html=f"<blockquote><p>Geciteerd</p></blockquote><p>{long_text}</p>",
        )  # fmt: skip
        add_comment(session, record)
    _add(app, State.PENDING, author="Kort")
    for path in ("/moderate/", "/moderate/threads/open-post"):
        html = mod_client.get(path).get_data(as_text=True)
        assert html.count('<div class="long-comment">') == 1, path
        assert f"<summary>Show all ({len(long_text):,} characters)</summary>" in html, path
        assert '<p class="comment-excerpt">Een lange gedachte.' in html
    css = mod_client.get("/moderate/kiln.css").get_data(as_text=True)
    assert ".comment-body blockquote" in css
