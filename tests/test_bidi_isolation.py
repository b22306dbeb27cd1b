"""Names from readers and other sites are isolated, so bidirectional controls in them cannot reorder the page."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from comments_service.store.comments import NewCommentRecord, add_comment
from comments_service.store.database import database
from comments_service.store.models import Kind, State
from comments_service.store.threads import get_thread

from .helpers import moderation_token

JSON = {"Accept": "application/json"}
# Right-to-left override, and an isolate opened but never closed: each would reorder what follows it.
NAME = "Eve \u202eevil\u2067 x"
BLOG = "Blog \u202eelsewhere"
CONTROLS = ("\u202e", "\u2067")


def _approve(client: FlaskClient, comment_id: int) -> None:
    response = client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": moderation_token(client)})
    assert response.status_code == 303


def _comment(client: FlaskClient, **fields: str) -> int:
    response = client.post("/comments/open-post/", data={"author": NAME, "body": "Hallo.", **fields}, headers=JSON)
    assert response.status_code == 202, response.get_data(as_text=True)
    return int(response.get_json()["id"])


def _trackback(app: Flask) -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, "open-post")
        assert thread is not None
        comment = add_comment(
            session,
            NewCommentRecord(
                thread_id=thread.id,
                kind=Kind.TRACKBACK,
                state=State.PENDING,
                author=BLOG,
                blog_name=BLOG,
                title="Title \u202eturned",
                source_url="https://elsewhere.example/post",
                body_source="x",
                body_format="text",
                body_html="<p>x</p>",
            ),
        )
        session.flush()
        return comment.id


def test_names_are_shown_in_bdi_on_the_page_and_in_the_moderation_screens(
    app: Flask, mod_client: FlaskClient, output: Path
) -> None:
    plain = _comment(mod_client)
    linked = _comment(mod_client, website="https://eve.example/", body="Met een website.")
    linkback = _trackback(app)
    queue = mod_client.get("/moderate/").get_data(as_text=True)
    assert f'<strong class="author"><bdi>{NAME}</bdi></strong>' in queue
    assert "<bdi>Title \u202eturned</bdi>" in queue
    for comment_id in (plain, linked, linkback):
        _approve(mod_client, comment_id)
    page = (output / "open-post.html").read_text(encoding="utf-8")
    assert f'<span class="comment-author"><bdi>{NAME}</bdi></span>' in page
    assert f'rel="external nofollow ugc"><bdi>{NAME}</bdi></a>' in page
    assert page.count(f'">Reply to <bdi>{NAME}</bdi></a>') == 2
    assert f'<cite class="trackback-site"><bdi>{BLOG}</bdi></cite>' in page
    assert "<bdi>Title \u202eturned</bdi>" in page
    # Every control in the page sits inside a bdi element.
    outside = page
    for isolated in (NAME, BLOG, "Title \u202eturned"):
        outside = outside.replace(f"<bdi>{isolated}</bdi>", "")
    assert not any(control in outside for control in CONTROLS)


def test_feed_titles_and_names_are_plain_text_without_the_controls(mod_client: FlaskClient, output: Path) -> None:
    _approve(mod_client, _comment(mod_client))
    for feed in (output / "feeds" / "comments" / "open-post.atom.xml", output / "feeds" / "comments.atom.xml"):
        text = feed.read_text(encoding="utf-8")
        assert "<title>Eve evil x on Open post</title>" in text and "<name>Eve evil x</name>" in text
        assert not any(control in text for control in CONTROLS)
