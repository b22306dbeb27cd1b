"""The reader's own pages over HTTP: their comment in place, replies, previews, errors, editing and deleting."""

from __future__ import annotations

import gzip
import hashlib
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from sqlalchemy import select, update

from comments_service.baking.pelican_site import full_build
from comments_service.baking.trigger import site_of
from comments_service.baking.unit_of_work import UnitOfWork
from comments_service.blog.identity import SiteIdentity
from comments_service.demo import load_demo
from comments_service.rendering.render import RenderOptions, avatar_of, options_from_pelican
from comments_service.rendering.thread_view import CommentNode
from comments_service.store.database import database
from comments_service.store.models import AuditEntry, Comment, State, Thread, utcnow
from comments_service.text.sanitize import markdown_to_html

from .baking_support import differences, fresh_build
from .conftest import REPO, built_app
from .helpers import csrf_token_from, moderation_token

FORM = {"author": "Anna de Vries", "email": "anna@example.nl", "body": "Mooi *stuk*!"}
JSON = {"Accept": "application/json"}


def _post(client: FlaskClient, slug: str = "open-post", **fields: str) -> int:
    """Post a comment as a browser does; return its id, read from where the browser is sent."""
    response = client.post(f"/comments/{slug}/", data=FORM | fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    found = re.fullmatch(rf"/comments/{slug}/yours#comment-(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def _comment(app: Flask, comment_id: int) -> Comment:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        session.expunge(comment)
        return comment


def _change(app: Flask, comment_id: int, **values: object) -> None:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        comment = session.get(Comment, comment_id)
        for name, value in values.items():
            setattr(comment, name, value)


def test_your_comment_is_shown_in_place_to_you_and_to_nobody_else(app: Flask, client: FlaskClient) -> None:
    comment_id = _post(client)
    mine = client.get("/comments/open-post/yours")
    html = mine.get_data(as_text=True)
    assert mine.status_code == 200
    assert f'<li id="comment-{comment_id}" class="comment depth-1 comment-pending">' in html
    assert "Your comment is awaiting moderation." in html and "Mooi <em>stuk</em>!" in html
    # In the blog's own page: its title, header, the post itself and its stylesheet.
    assert "<title>Open post · " in html and 'class="post-title">Open post</h1>' in html
    assert mine.headers["Cache-Control"] == "private, no-store"
    assert "script-src 'self'" in mine.headers["Content-Security-Policy"]
    # Another browser, and the static page, show no such comment and no such notice.
    other = app.test_client().get("/comments/open-post/yours")
    assert (other.status_code, other.headers["Location"]) == (303, "/open-post.html")
    page = (site_of(app).output / "open-post.html").read_text(encoding="utf-8")
    assert "Mooi <em>stuk</em>!" not in page and "awaiting moderation" not in page


def test_a_forged_or_expired_cookie_shows_nothing(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Signed eight days ago: past OWN_COMMENT_DAYS (7).
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 8 * 24 * 3600)
    _post(client)
    monkeypatch.undo()
    assert client.get("/comments/open-post/yours").status_code == 303
    forger = app.test_client()
    forger.set_cookie("kiln_own", "W1sxLCAxNzAwMDAwMDAwXV0.forged.signature")
    assert forger.get("/comments/open-post/yours").status_code == 303


def test_the_json_answer_names_the_writer_s_page_and_sets_a_private_cookie(client: FlaskClient) -> None:
    response = client.post("/comments/open-post/", data=FORM, headers=JSON)
    assert response.status_code == 202
    assert response.get_json()["page"] == "/comments/open-post/yours"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("kiln_own=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def demo(app: Flask) -> Flask:
    """The service with Zeker's 22 comments loaded and baked."""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        load_demo(UnitOfWork(session))
        # The seed's thread is closed; these tests reply to its comments.
        session.execute(update(Thread).where(Thread.slug == "zeker").values(closed=False))
    full_build(site_of(app))
    return app


def _zeker_comment(app: Flask, author: str) -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = session.scalar(select(Thread).where(Thread.slug == "zeker"))
        found = session.scalar(select(Comment.id).where(Comment.thread_id == thread.id, Comment.author == author))
        assert found is not None
        return found


def test_a_reply_has_its_own_page_for_browsers_without_the_script(demo: Flask, client: FlaskClient) -> None:
    parent = _zeker_comment(demo, "Martijn Aslander")
    response = client.get(f"/comments/zeker/reply/{parent}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Replying to <bdi>Martijn Aslander</bdi>" in html
    assert f'<input type="hidden" name="parent" value="{parent}">' in html
    # Cancel goes back to the post, at the comment.
    assert f'<a class="cancel-reply" href="/zeker.html#comment-{parent}">' in html
    assert "<title>Reply: " in html
    assert client.get("/comments/zeker/reply/999999").status_code == 404
    assert client.get(f"/comments/open-post/reply/{parent}").status_code == 404, "not a comment on that post"
    reply = _post(client, "zeker", parent=str(parent), body="Eens!")
    assert _comment(demo, reply).parent_id == parent
    mine = client.get("/comments/zeker/yours").get_data(as_text=True)
    # Shown under the comment it answers, not at the top of the thread.
    placed = lxml.html.fromstring(mine).get_element_by_id(f"comment-{reply}")
    assert placed.getparent().getparent().get("id") == f"comment-{parent}"


def test_a_preview_is_sanitised_as_it_will_be_stored_and_stores_nothing(app: Flask, client: FlaskClient) -> None:
    body = "**vet** <script>alert(1)</script> [klik](javascript:alert(1))"
    response = client.post("/comments/open-post/preview", data=FORM | {"body": body})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert markdown_to_html(body) in html and "<strong>vet</strong>" in html
    assert "<script>alert" not in html and 'href="javascript' not in html
    # The text as typed is kept, escaped, in the form.
    assert "**vet** &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>Preview: " in html and "It is not posted yet." in html
    live = client.post("/comments/open-post/preview", data={"body": body}, headers=JSON)
    assert live.get_json()["html"] == markdown_to_html(body)
    empty = client.post("/comments/open-post/preview", data=FORM | {"body": "  "})
    assert empty.status_code == 400 and 'aria-invalid="true" aria-describedby="body-error"' in empty.get_data(True)
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert session.scalar(select(Comment.id)) is None, "a preview stores nothing"


def _edit_token(client: FlaskClient, comment_id: int) -> str:
    page = client.get(f"/comments/open-post/{comment_id}/edit")
    assert page.status_code == 200, page.get_data(as_text=True)
    return csrf_token_from(page.get_data(as_text=True))


def test_editing_your_comment_is_judged_audited_and_baked(
    app: Flask, client: FlaskClient, mod_client: FlaskClient
) -> None:
    comment_id = _post(client)
    assert mod_client.post(
        f"/moderate/comments/{comment_id}/approve", data={"csrf_token": moderation_token(mod_client)}
    )
    mine = client.get("/comments/open-post/yours").get_data(as_text=True)
    assert f'href="/comments/open-post/{comment_id}/edit"' in mine and "Your comment is published." in mine
    token = _edit_token(client, comment_id)
    edited = {"author": "Anna", "email": "anna@example.nl", "website": "", "body": "Nu **beter**"}
    assert client.post(f"/comments/open-post/{comment_id}/edit", data=edited).status_code == 400, "CSRF"
    bad = client.post(f"/comments/open-post/{comment_id}/edit", data=edited | {"csrf_token": token, "body": ""})
    assert bad.status_code == 400 and '<a href="#body-new">Comment</a> is required' in bad.get_data(True)
    saved = client.post(f"/comments/open-post/{comment_id}/edit", data=edited | {"csrf_token": token})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"/yours#comment-{comment_id}")
    stored = _comment(app, comment_id)
    assert (stored.author, stored.body_html, stored.state) == (
        "Anna",
        "<p>Nu <strong>beter</strong></p>",
        State.APPROVED,
    )
    with database(app.config["DATABASE_URL"]).transaction() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "edit-own"))
        assert entry is not None and entry.username == "(reader)" and "Mooi *stuk*!" in entry.detail
    page = (site_of(app).output / "open-post.html").read_text(encoding="utf-8")
    assert "Nu <strong>beter</strong>" in page and "Mooi" not in page


def test_an_edit_goes_through_the_spam_checks(demo: Flask, client: FlaskClient) -> None:
    demo.config["DISALLOWED_WORDS"] = "casino"
    comment_id = _post(client)
    token = _edit_token(client, comment_id)
    data = FORM | {"csrf_token": token, "body": "Beste casino van Nederland"}
    assert client.post(f"/comments/open-post/{comment_id}/edit", data=data).status_code == 303
    assert _comment(demo, comment_id).state == State.SPAM
    # Its writer cannot tell: it still shows to them as awaiting moderation.
    assert "Your comment is awaiting moderation." in client.get("/comments/open-post/yours").get_data(True)


def test_changes_are_refused_after_the_window_after_a_reply_and_from_another_browser(
    app: Flask, client: FlaskClient
) -> None:
    comment_id = _post(client)
    other = app.test_client()
    refused = other.get(f"/comments/open-post/{comment_id}/edit")
    assert refused.status_code == 403 and "Only the browser that posted a comment" in refused.get_data(True)
    _change(app, comment_id, state=State.APPROVED)
    reply = _post(other, body="Antwoord", parent=str(comment_id))
    answered = client.get(f"/comments/open-post/{comment_id}/edit")
    assert answered.status_code == 409 and "Someone has replied" in answered.get_data(True)
    _change(app, reply, parent_id=None)
    _edit_token(client, comment_id)
    _change(app, comment_id, created=utcnow() - timedelta(minutes=16))
    late = client.get(f"/comments/open-post/{comment_id}/edit")
    assert late.status_code == 403 and "The time to change this comment is over." in late.get_data(True)
    assert "/edit" not in client.get("/comments/open-post/yours").get_data(True)
    late_post = client.post(f"/comments/open-post/{comment_id}/delete", data={"csrf_token": "x"})
    assert late_post.status_code in (400, 403)
    assert _comment(app, comment_id).state == State.APPROVED


def test_deleting_your_comment_takes_it_off_the_page(app: Flask, client: FlaskClient) -> None:
    comment_id = _post(client)
    _change(app, comment_id, state=State.APPROVED)
    token = _edit_token(client, comment_id)
    response = client.post(f"/comments/open-post/{comment_id}/delete", data={"csrf_token": token})
    assert response.status_code == 200 and "Your comment was deleted." in response.get_data(True)
    assert _comment(app, comment_id).state == State.DELETED
    assert client.get("/comments/open-post/yours").status_code == 303
    page = (site_of(app).output / "open-post.html").read_text(encoding="utf-8")
    assert "Mooi" not in page
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert session.scalar(select(AuditEntry.username).where(AuditEntry.action == "delete-own")) == "(reader)"


@pytest.fixture
def limited(database_url: str, site_dir: Path) -> Iterator[Flask]:
    """The service allowing one comment a minute from an address."""
    yield from built_app(database_url, site_dir, FLOOD_SECONDS=0, SUBMIT_RATE_LIMIT="1 per minute")


def test_too_fast_keeps_the_text_and_says_when_to_send_it(limited: Flask) -> None:
    client = limited.test_client()
    _post(client)
    response = client.post("/comments/open-post/", data=FORM | {"body": "Nog een gedachte"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Nog een gedachte</textarea>" in html and "please try again in" in html
    assert 'role="alert"' in html and "awaiting moderation" not in html


def test_no_page_has_inline_script_and_the_script_is_small(demo: Flask, client: FlaskClient) -> None:
    output = site_of(demo).output
    pages = [path.read_text(encoding="utf-8") for path in output.rglob("*.html")]
    pages.append(client.post("/comments/zeker/preview", data=FORM).get_data(as_text=True))
    for html in pages:
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all(" src=" in tag for tag in scripts), scripts
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "no inline event handler"
    script = (REPO / "theme" / "static" / "js" / "kiln.js").read_bytes()
    compressed = len(gzip.compress(script, 9))
    assert compressed <= 8 * 1024
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"{compressed / 1024:.1f} KB" in readme, "the README states the script's compressed size"


def test_avatars_are_keyed_identicons_that_reveal_nothing(demo: Flask) -> None:
    page = (site_of(demo).output / "zeker.html").read_text(encoding="utf-8")
    avatars = re.findall(r'<svg class="avatar".*?</svg>', page, re.S)
    assert len(avatars) == 22, "one per comment"
    pattern = r'(<svg class="avatar".*?</svg>)\s*<span class="comment-author">(?:<a [^>]*>)?<bdi>([^<]+)'
    by_author = re.findall(pattern, page, re.S)
    pictures: dict[str, set[str]] = {}
    for svg, author in by_author:
        pictures.setdefault(author, set()).add(svg)
    assert all(len(svgs) == 1 for svgs in pictures.values()), "one commenter, one picture"
    assert len({next(iter(svgs)) for svgs in pictures.values()}) == len(pictures), "each commenter their own"


@pytest.fixture
def folded(database_url: str, site_dir: Path) -> Iterator[Flask]:
    """The service over a site that folds threads away after 5 top-level comments."""
    with (site_dir / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nKILN["COLLAPSE_AFTER"] = 5\n')
    yield from built_app(database_url, site_dir, FLOOD_SECONDS=0)


def test_long_threads_fold_and_bakes_still_equal_full_builds(folded: Flask, tmp_path: Path) -> None:
    with database(folded.config["DATABASE_URL"]).transaction() as session:
        load_demo(UnitOfWork(session))
        # The seed's thread is closed; these tests reply to its comments.
        session.execute(update(Thread).where(Thread.slug == "zeker").values(closed=False))
    full_build(site_of(folded))
    page = (site_of(folded).output / "zeker.html").read_text(encoding="utf-8")
    shown, _, more = page.partition('<details id="more-comments" class="more-comments">')
    assert more, "the rest of the thread is folded"
    folded_count = more.split("</details>")[0].count('class="comment depth-')
    assert f"Show {folded_count} more comments</summary>" in more
    assert shown.count('class="comment depth-') + folded_count == 22
    client = folded.test_client()
    comment_id = _post(client, "zeker", body="Helemaal achteraan")
    # The writer's own page opens the fold: their comment is at the end of the thread.
    assert '<details id="more-comments" class="more-comments" open>' in client.get("/comments/zeker/yours").get_data(
        True
    )
    _change(folded, comment_id, state=State.APPROVED)
    with folded.app_context(), database(folded.config["DATABASE_URL"]).transaction() as session:
        work = UnitOfWork(session)
        work.bake("zeker")
        work.commit()
    assert differences(site_of(folded).output, fresh_build(folded, tmp_path / "fresh")) == []


def test_gravatar_only_when_the_site_opts_in() -> None:
    node = CommentNode(1, "Ada", "", "<p>Hi</p>", utcnow(), False, False, email=" Ada@Example.org ")
    key = "00" * 32
    drawn = avatar_of(RenderOptions("", avatar_key=key), node)
    assert drawn.startswith('<svg class="avatar"') and "gravatar" not in drawn
    gravatar = avatar_of(RenderOptions("", avatars="gravatar", avatar_key=key), node)
    address = hashlib.sha256(b"ada@example.org").hexdigest()
    source = f"https://gravatar.com/avatar/{address}?s=80&amp;d=identicon"
    assert gravatar == (
        f'<img class="avatar" src="{source}" alt="" width="40" height="40" loading="lazy" referrerpolicy="no-referrer">'
    )
    assert avatar_of(RenderOptions("", avatars="none", avatar_key=key), node) == ""
    with pytest.raises(ValueError, match="AVATARS"):
        options_from_pelican({"THEME": "theme", "KILN": {"AVATARS": "gravatr"}}, SiteIdentity())


def test_the_site_s_own_origin_may_read_the_answers_and_no_other(sqlite_url: str, site_dir: Path) -> None:
    with (site_dir / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nSITEURL = "https://blog.example.org"\n')
    for app in built_app(sqlite_url, site_dir, FLOOD_SECONDS=0, SERVICE_URL="https://comments.example.org"):
        client = app.test_client()
        site = {"Origin": "https://blog.example.org", **JSON}
        answer = client.post("/comments/open-post/", data=FORM, headers=site)
        assert answer.headers["Access-Control-Allow-Origin"] == "https://blog.example.org"
        assert answer.headers["Access-Control-Allow-Credentials"] == "true" and "Origin" in answer.headers["Vary"]
        mine = client.get("/comments/open-post/yours", headers={"Origin": "https://blog.example.org"})
        assert mine.headers["Access-Control-Allow-Origin"] == "https://blog.example.org"
        elsewhere = client.post("/comments/open-post/preview", data=FORM, headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in elsewhere.headers
