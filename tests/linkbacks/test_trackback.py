"""TrackBack 1.2: real form posts to the running service, checked, held, approved and baked."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from comments_service.store.models import Kind, State

from .conftest import POST
from .helpers import approve, close_thread, linkbacks, post_form, source_html, trackbacks_section
from .netguard import NetGuard
from .pages import PageServer


def test_a_trackback_is_verified_held_approved_and_baked_as_text(
    live: str, pages: PageServer, lb_app: Flask, mod_client: FlaskClient, output: Path
) -> None:
    source = pages.page("/reply", source_html(POST))
    fields = {
        "url": source,
        "title": "<b>Zeker</b> niet <script>alert(1)</script>",
        "excerpt": "Een <i>ander</i> <a href='http://x.example/'>verhaal</a> & meer",
        "blog_name": "Ander <em>Blog</em>",
    }
    status, content_type, body = post_form(f"{live}/trackback/open-post", fields)
    assert (status, content_type) == (200, "text/xml; charset=utf-8")
    assert "<error>0</error>" in body and "<message>" not in body
    [row] = linkbacks(lb_app)
    assert (row.kind, row.state, row.source_url) == (Kind.TRACKBACK, State.PENDING, source)
    # A script's text goes with its tags, not only the tags.
    assert (row.title, row.blog_name) == ("Zeker niet", "Ander Blog")
    assert row.body_source == "Een ander verhaal & meer"
    assert "trackback on" in mod_client.get("/moderate/").get_data(as_text=True)
    assert trackbacks_section((output / "open-post.html").read_text(encoding="utf-8")) == ""

    approve(mod_client, row.id)
    section = trackbacks_section((output / "open-post.html").read_text(encoding="utf-8"))
    assert '{ </span>1 trackback<span aria-hidden="true"> }' in section
    assert f'<a class="trackback-title" href="{source}" rel="nofollow ugc"><bdi>Zeker niet</bdi></a>' in section
    assert "Een ander verhaal &amp; meer" in section and "Ander Blog" in section
    assert "<script" not in section and "alert" not in section and "<b>" not in section and "x.example" not in section


def test_trackback_refusals_answer_in_trackback_xml(
    live: str, pages: PageServer, lb_app: Flask, guard: NetGuard
) -> None:
    linking = pages.page("/linking", source_html(POST))
    silent = pages.page("/silent", "<html><body><p>No link here.</p></body></html>")
    cases = [
        ("/trackback/no-such-post", {"url": linking}, 404, "There is no post"),
        ("/trackback/open-post", {}, 400, "The url field is required."),
        ("/trackback/open-post", {"url": "javascript:alert(1)"}, 400, "absolute http or https URL"),
        ("/trackback/open-post", {"url": silent}, 400, "does not link to this post"),
        ("/trackback/open-post", {"url": "http://10.0.0.1/post"}, 400, "could not be fetched"),
        ("/trackback/open-post", {"url": linking}, 200, ""),
        ("/trackback/open-post", {"url": linking}, 409, "already has a trackback"),
    ]
    for path, fields, status, message in cases:
        got, content_type, body = post_form(live + path, fields)
        assert (got, content_type) == (status, "text/xml; charset=utf-8"), (path, fields, body)
        assert ("<error>1</error>" in body) == (status != 200) and message in body
    assert len(linkbacks(lb_app)) == 1
    assert guard.non_loopback_attempts() == []


def test_closed_threads_refuse_trackbacks(live: str, pages: PageServer, lb_app: Flask) -> None:
    close_thread(lb_app, "open-post")
    status, _, body = post_form(f"{live}/trackback/open-post", {"url": pages.page("/a", source_html(POST))})
    assert status == 403 and "closed" in body
    assert linkbacks(lb_app) == []
