"""Webmention: real posts to the running service, verified in the background, updated and removed."""

from __future__ import annotations

import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from comments_service.linkbacks.worker import start_verifier
from comments_service.store.audit_log import detail_of, entries
from comments_service.store.database import database
from comments_service.store.models import Kind, State

from ..helpers import moderation_token
from .conftest import POST, SITE
from .helpers import approve, close_thread, linkbacks, post_form, source_html, trackbacks_section
from .netguard import NetGuard
from .pages import PageServer, huge, trickle


def _mention(live: str, app: Flask, source: str, target: str = POST) -> None:
    status, _, body = post_form(f"{live}/webmention", {"source": source, "target": target})
    assert status == 202, body
    assert start_verifier(app).wait_idle(10)


def _shown(output: Path) -> str:
    return trackbacks_section((output / "open-post.html").read_text(encoding="utf-8"))


def test_a_webmention_is_verified_in_the_background_then_updated_and_removed(
    live: str, pages: PageServer, lb_app: Flask, mod_client: FlaskClient, output: Path
) -> None:
    source = pages.page("/note", source_html(POST, title="First title"))
    _mention(live, lb_app, source)
    [row] = linkbacks(lb_app)
    assert (row.kind, row.state, row.title) == (Kind.WEBMENTION, State.PENDING, "First title")
    approve(mod_client, row.id)
    assert "First title" in _shown(output) and 'class="trackback webmention"' in _shown(output)

    # The same mention again, unchanged: nothing moves.
    _mention(live, lb_app, source)
    [row] = linkbacks(lb_app)
    assert row.state == State.APPROVED and row.updated is not None

    # Edited at the source: updated in place and back to moderation, so the page drops it until approved.
    pages.page("/note", source_html(POST, title="Second <b>title</b>"))
    _mention(live, lb_app, source)
    [row] = linkbacks(lb_app)
    assert (row.state, row.title) == (State.PENDING, "Second title")
    assert _shown(output) == ""
    with database(lb_app.config["DATABASE_URL"]).transaction() as session:
        back, approval = entries(session, comment_id=row.id)[:2]
    assert (approval.action, approval.username) == ("approve", "mod")
    # A moderation action like the approval, taken by the service: the audit entry names no account.
    assert (back.action, back.user_id, back.username) == ("pending", None, "(system)")
    assert detail_of(back) == {"old_state": "approved", "reason": "the source changed"}
    approve(mod_client, row.id)
    assert "Second title" in _shown(output)

    # The source is gone (410): the mention is removed and the page rebaked without it.
    pages.page("/note", "gone", status=410)
    _mention(live, lb_app, source)
    [row] = linkbacks(lb_app)
    assert row.state == State.DELETED and _shown(output) == ""

    # The link comes back: a mention removed by its source may return, through moderation.
    pages.page("/note", source_html(POST, title="Third title"))
    _mention(live, lb_app, source)
    [row] = linkbacks(lb_app)
    assert (row.state, row.title) == (State.PENDING, "Third title")


def test_a_source_that_drops_the_link_removes_the_mention(
    live: str, pages: PageServer, lb_app: Flask, mod_client: FlaskClient, output: Path
) -> None:
    source = pages.page("/note", source_html(POST))
    _mention(live, lb_app, source)
    approve(mod_client, linkbacks(lb_app)[0].id)
    assert _shown(output)
    pages.page("/note", "<p>I took the link out.</p>")
    _mention(live, lb_app, source)
    assert linkbacks(lb_app)[0].state == State.DELETED and _shown(output) == ""


def test_a_mention_a_moderator_deleted_or_marked_spam_stays_so(
    live: str, pages: PageServer, lb_app: Flask, mod_client: FlaskClient
) -> None:
    source = pages.page("/spam", source_html(POST, title="Buy now"))
    _mention(live, lb_app, source)
    [row] = linkbacks(lb_app)
    assert "webmention on" in mod_client.get("/moderate/").get_data(as_text=True)
    mod_client.post(f"/moderate/comments/{row.id}/spam", data={"csrf_token": moderation_token(mod_client)})
    pages.page("/spam", source_html(POST, title="Buy more"))
    _mention(live, lb_app, source)
    [row] = linkbacks(lb_app)
    assert (row.state, row.title) == (State.SPAM, "Buy now")


def test_invalid_webmentions_get_400_at_once(
    live: str, pages: PageServer, lb_app: Flask, client: FlaskClient, guard: NetGuard
) -> None:
    source = pages.page("/ok", source_html(POST))
    close_thread(lb_app, "luisteren")
    cases = [
        ({"target": POST}, "source"),
        ({"source": source}, "target"),
        ({"source": "not a url", "target": POST}, "source"),
        ({"source": "ftp://example.com/x", "target": POST}, "source"),
        ({"source": source, "target": "mailto:me@example.com"}, "target"),
        ({"source": POST, "target": POST}, "target"),
        ({"source": source, "target": f"{SITE}/no-such-post.html"}, "target"),
        ({"source": source, "target": "https://elsewhere.example/post.html"}, "target"),
        ({"source": source, "target": f"{SITE}/luisteren.html"}, "target"),
        ({"source": "http://10.0.0.1/", "target": POST}, "source"),
        ({"source": "http://user:pw@example.com/", "target": POST}, "source"),
    ]
    for fields, field in cases:
        response = client.post("/webmention", data=fields, headers={"Accept": "application/json"})
        assert response.status_code == 400, fields
        assert field in response.get_json()["errors"], fields
    assert start_verifier(lb_app).wait_idle(10)
    assert linkbacks(lb_app) == [] and guard.connects == []


def test_a_private_source_behind_a_name_is_dropped_quietly(
    live: str, lb_app: Flask, guard: NetGuard, pages: PageServer
) -> None:
    guard.resolve("intranet.test", "192.168.1.1")
    redirecting = pages.redirect("/hop", "http://172.16.0.1/")
    for source in ("http://intranet.test/", redirecting):
        _mention(live, lb_app, source)
    assert linkbacks(lb_app) == []
    assert guard.non_loopback_attempts() == []


def test_webmentions_are_limited_per_client_address_and_per_source_host(
    client: FlaskClient, pages: PageServer, lb_app: Flask, guard: NetGuard
) -> None:
    guard.resolve("other.test", pages.host)
    lb_app.config.update(LINKBACK_SOURCE_RATE_LIMIT="1 per minute", LINKBACK_RATE_LIMIT="4 per minute")
    first = pages.page("/one", source_html(POST))
    assert client.post("/webmention", data={"source": first, "target": POST}).status_code == 202
    second = {"source": pages.url("/two"), "target": POST}
    assert client.post("/webmention", data=second).status_code == 429
    other = {"source": pages.url("/one", host="other.test"), "target": POST}
    assert client.post("/webmention", data=other).status_code == 202
    assert client.post("/webmention", data={"source": "x", "target": POST}).status_code == 400
    response = client.post("/webmention", data={"source": "x", "target": POST})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert start_verifier(lb_app).wait_idle(10)


def test_the_service_abandons_huge_and_trickling_sources_within_its_limits(
    live: str, pages: PageServer, lb_app: Flask
) -> None:
    lb_app.config.update(FETCH_DEADLINE=1.0, FETCH_MAX_BYTES=64 * 1024)
    started = time.monotonic()
    for source in (pages.handler("/huge", huge(50 * 1024 * 1024, False)), pages.handler("/slow", trickle(False))):
        _mention(live, lb_app, source)
    assert time.monotonic() - started < 4
    assert linkbacks(lb_app) == []
