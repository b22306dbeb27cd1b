"""Reader submissions through the public endpoint, from form post to baked page."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from comments_service.store.database import database
from comments_service.store.models import Comment, State, Thread

from .helpers import eventually_in, moderation_token

FORM = {"author": "Anna de Vries", "email": "anna@example.nl", "website": "https://anna.example", "body": "Mooi stuk!"}
JSON = {"Accept": "application/json"}


def _count(app: Flask) -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return session.scalar(select(func.count()).select_from(Comment)) or 0


def _approved_comment(app: Flask, slug: str, body: str = "Eerste reactie") -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = session.scalar(select(Thread).where(Thread.slug == slug))
        comment = Comment(
            thread=thread, author="Eerder", body_source=body, body_html=f"<p>{body}</p>", state=State.APPROVED
        )
        session.add(comment)
        session.flush()
        return comment.id


def test_form_post_is_held_then_baked_after_approval(mod_client: FlaskClient, app: Flask, output: Path) -> None:
    response = mod_client.post("/comments/open-post/", data=FORM)
    assert response.status_code == 303
    assert response.headers["Location"] == "/comments/open-post/yours#comment-1"
    page = output / "open-post.html"
    assert "Mooi stuk!" not in page.read_text(encoding="utf-8")
    with database(app.config["DATABASE_URL"]).transaction() as session:
        comment_id = session.scalar(select(Comment.id).where(Comment.author == "Anna de Vries"))
    token = moderation_token(mod_client)
    approved = mod_client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": token})
    assert approved.status_code == 303
    html = page.read_text(encoding="utf-8")
    assert f'id="comment-{comment_id}" class="comment depth-1"' in html
    assert "<p>Mooi stuk!</p>" in html
    assert "anna@example.nl" not in html, "email is never published"
    assert '<a href="https://anna.example" rel="external nofollow ugc"><bdi>Anna de Vries</bdi></a>' in html
    index = (output / "index.html").read_text(encoding="utf-8")
    assert "1 comment<!--/kiln:count:open-post-->" in index


def test_json_client_gets_202_with_the_new_id(client: FlaskClient, app: Flask) -> None:
    response = client.post("/comments/open-post/", data=FORM, headers=JSON)
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "pending"
    with database(app.config["DATABASE_URL"]).transaction() as session:
        stored = session.get(Comment, body["id"])
        assert stored is not None and stored.author == "Anna de Vries" and stored.state == State.PENDING
        assert stored.ip == "127.0.0.1"


def test_the_static_page_claims_no_pending_comment_and_posts_to_the_service(output: Path) -> None:
    html = (output / "open-post.html").read_text(encoding="utf-8")
    assert "kiln-pending" not in html and "awaiting moderation" not in html
    assert '<form id="comment-form" class="comment-form" method="post" action="/comments/open-post/"' in html


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"author": ""}, "author", "is required"),
        ({"author": "   "}, "author", "is required"),
        ({"author": "x" * 246}, "author", "at most 245"),
        ({"email": "not-an-address"}, "email", "not a valid email"),
        ({"email": "a@b.nl\r\nBcc: x@y.nl"}, "email", "not a valid email"),
        ({"email": "a" * 96 + "@b.nl"}, "email", "at most 100"),
        ({"website": "javascript:alert(1)"}, "website", "http:// or https://"),
        ({"website": "ftp://example.org"}, "website", "http:// or https://"),
        ({"website": "https://" + "a" * 200 + ".nl"}, "website", "at most 200"),
        ({"website": "http://"}, "website", "not a valid URL"),
        ({"body": ""}, "body", "is required"),
        ({"body": " \n\t "}, "body", "is required"),
        ({"body": "x" * 65537}, "body", "at most 65536"),
        ({"parent": "abc"}, "parent", "must be a comment id"),
        ({"parent": "999999"}, "parent", "not a published comment"),
    ],
)
def test_bad_fields_get_400_with_field_messages(
    client: FlaskClient, app: Flask, change: dict[str, str], field: str, message: str
) -> None:
    before = _count(app)
    response = client.post("/comments/open-post/", data={**FORM, **change}, headers=JSON)
    assert response.status_code == 400
    assert message in response.get_json()["errors"][field]
    assert _count(app) == before, "nothing is stored"


def test_browser_gets_the_errors_on_a_page_with_its_text_kept(client: FlaskClient) -> None:
    response = client.post("/comments/open-post/", data={**FORM, "author": "", "body": "<b>mijn tekst</b>"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<a href="#author-new">Name</a> is required' in html
    assert 'aria-invalid="true" aria-describedby="author-error"' in html
    assert "&lt;b&gt;mijn tekst&lt;/b&gt;</textarea>" in html
    assert 'value="Anna de Vries"' not in html and 'value="anna@example.nl"' in html
    # The blog's own page around it: its stylesheet, header and the post itself.
    assert '<link rel="stylesheet" href="/theme/css/kiln.css">' in html and 'class="skip-link"' in html
    assert "<title>Error: " in html and 'class="post-title"' in html


def test_parent_from_another_thread_is_refused(client: FlaskClient, app: Flask) -> None:
    other = _approved_comment(app, "luisteren")
    response = client.post("/comments/open-post/", data={**FORM, "parent": str(other)}, headers=JSON)
    assert response.status_code == 400
    assert "parent" in response.get_json()["errors"]


def test_pending_parent_is_refused(client: FlaskClient, app: Flask) -> None:
    pending = client.post("/comments/open-post/", data=FORM, headers=JSON).get_json()["id"]
    response = client.post("/comments/open-post/", data={**FORM, "body": "Re", "parent": str(pending)}, headers=JSON)
    assert response.status_code == 400


def test_reply_is_threaded_under_its_parent(client: FlaskClient, app: Flask) -> None:
    parent = _approved_comment(app, "open-post")
    reply = client.post("/comments/open-post/", data={**FORM, "parent": str(parent)}, headers=JSON).get_json()["id"]
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert session.get(Comment, reply).parent_id == parent  # type: ignore[union-attr]


def test_unknown_post_is_404(client: FlaskClient, app: Flask) -> None:
    response = client.post("/comments/no-such-post/", data=FORM, headers=JSON)
    assert response.status_code == 404
    assert "message" in response.get_json()
    assert _count(app) == 0


def test_closed_thread_is_403_and_stores_nothing(mod_client: FlaskClient, app: Flask) -> None:
    token = moderation_token(mod_client)
    assert mod_client.post("/moderate/threads/open-post/close", data={"csrf_token": token}).status_code == 303
    response = mod_client.post("/comments/open-post/", data=FORM, headers=JSON)
    assert response.status_code == 403
    assert _count(app) == 0
    assert mod_client.post("/comments/open-post/", data=FORM).status_code == 403


def test_thread_closed_by_metadata_is_403(client: FlaskClient, app: Flask, site_dir: Path) -> None:
    from comments_service.baking.pelican_site import full_build
    from comments_service.baking.trigger import site_of

    post = site_dir / "content" / "open-post.md"
    post.write_text(post.read_text().replace("Slug: open-post\n", "Slug: open-post\nComments: closed\n"))
    full_build(site_of(app))
    assert client.post("/comments/open-post/", data=FORM, headers=JSON).status_code == 403
    assert "Comments on this entry are closed." in (site_of(app).output / "open-post.html").read_text()


def test_markup_is_sanitised_and_links_marked(client: FlaskClient, app: Flask) -> None:
    body = "Zie <script>alert(1)</script> [hier](javascript:alert(2)) en https://example.org/x <img src=x onerror=y>"
    comment_id = client.post("/comments/open-post/", data={**FORM, "body": body}, headers=JSON).get_json()["id"]
    with database(app.config["DATABASE_URL"]).transaction() as session:
        html = session.get(Comment, comment_id).body_html  # type: ignore[union-attr]
    assert "<script" not in html and "javascript:" not in html and "<img" not in html and "onerror" not in html
    assert '<a href="https://example.org/x" rel="nofollow ugc">https://example.org/x</a>' in html


def test_code_is_escaped_once(client: FlaskClient, app: Flask) -> None:
    body = "Als `a < b && c` geldt:\n\n    x = a < b\n"
    comment_id = client.post("/comments/open-post/", data={**FORM, "body": body}, headers=JSON).get_json()["id"]
    with database(app.config["DATABASE_URL"]).transaction() as session:
        html = session.get(Comment, comment_id).body_html  # type: ignore[union-attr]
    assert "<code>a &lt; b &amp;&amp; c</code>" in html
    assert "<pre><code>x = a &lt; b\n</code></pre>" in html


def test_oversized_request_is_413(client: FlaskClient) -> None:
    response = client.post("/comments/open-post/", data={**FORM, "body": "x" * 300_000}, headers=JSON)
    assert response.status_code == 413


def test_get_on_the_submission_endpoint_is_405(client: FlaskClient) -> None:
    assert client.get("/comments/open-post/").status_code == 405


def test_with_moderation_off_a_clean_comment_is_published_and_baked(
    client: FlaskClient, app: Flask, output: Path
) -> None:
    app.config["HOLD_FOR_MODERATION"] = False
    response = client.post("/comments/open-post/", data={**FORM, "body": "Meteen zichtbaar"}, headers=JSON)
    assert response.status_code == 201 and response.get_json()["status"] == "approved"
    assert eventually_in(output / "open-post.html", "Meteen zichtbaar")
    held = client.post(
        "/comments/open-post/", data={**FORM, "body": "a http://a.nl b http://b.nl c http://c.nl"}, headers=JSON
    )
    assert held.status_code == 202, "a check that holds a comment still holds it with moderation off"


def test_a_submission_gives_back_its_database_connections(client: FlaskClient, app: Flask) -> None:
    pool = database(app.config["DATABASE_URL"]).engine.pool
    for n in range(3):
        response = client.post("/comments/open-post/", data={**FORM, "body": f"Nummer {n}"}, headers=JSON)
        assert response.status_code == 202
    reply = {**FORM, "body": "Antwoord", "parent": str(_approved_comment(app, "open-post"))}
    assert client.post("/comments/open-post/", data=reply, headers=JSON).status_code == 202
    assert client.post("/comments/no-such-post/", data=FORM, headers=JSON).status_code == 404
    assert pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_database_outage_is_503_not_500(client: FlaskClient, app: Flask) -> None:
    app.config["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    response = client.post("/comments/open-post/", data=FORM, headers=JSON)
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    assert "nothing was stored" in response.get_json()["message"]


def _chain(app: Flask, slug: str, length: int) -> list[int]:
    """Store length approved comments, each a reply to the one before; return their ids, top first."""
    ids: list[int] = []
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = session.scalar(select(Thread).where(Thread.slug == slug))
        for level in range(length):
            parent_id = ids[-1] if ids else None
            comment = Comment(thread=thread, parent_id=parent_id, body_source=f"level {level}", state=State.APPROVED)
            session.add(comment)
            session.flush()
            ids.append(comment.id)
    return ids


def _reply_to(client: FlaskClient, app: Flask, parent: int) -> int | None:
    reply = {**FORM, "body": f"Antwoord op {parent}", "parent": str(parent)}
    response = client.post("/comments/open-post/", data=reply, headers=JSON)
    assert response.status_code in (201, 202), response.get_data(as_text=True)
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return session.get(Comment, response.get_json()["id"]).parent_id  # type: ignore[union-attr]


def test_a_reply_past_the_depth_limit_joins_the_deepest_allowed_level(client: FlaskClient, app: Flask) -> None:
    depth = app.config["MAX_THREAD_DEPTH"]
    ids = _chain(app, "open-post", depth + 2)
    # Under a comment one level above the limit, a reply is still a child: it sits at the limit.
    assert _reply_to(client, app, ids[depth - 2]) == ids[depth - 2]
    # Under the comments at the limit and below it, a reply becomes a sibling at the limit.
    assert _reply_to(client, app, ids[depth - 1]) == ids[depth - 2]
    assert _reply_to(client, app, ids[-1]) == ids[depth - 2]


def test_a_parent_chain_that_loops_is_answered_not_followed_forever(client: FlaskClient, app: Flask) -> None:
    first, second = _chain(app, "open-post", 2)
    with database(app.config["DATABASE_URL"]).transaction() as session:
        looped = session.get(Comment, first)
        assert looped is not None
        looped.parent_id = second
    assert _reply_to(client, app, second) in (first, second)
