"""Small helpers for linkback tests: source pages, form posts to the live service, stored rows."""

from __future__ import annotations

import http.client
from urllib.parse import urlencode, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments_service.store.database import database
from comments_service.store.models import Comment, Kind, Thread

from ..helpers import moderation_token


def source_html(target: str, title: str = "A reply elsewhere", words: str = "I agree with") -> str:
    """Return a blog post that links to target in its text."""
    return (
        f"<!doctype html><html><head><title>{title}</title>"
        '<meta property="og:site_name" content="Elsewhere Blog"></head><body><article>'
        f'<p>{words} <a href="{target}">this post about certainty</a>, and say why.</p>'
        "</article></body></html>"
    )


def post_form(url: str, fields: dict[str, str]) -> tuple[int, str, str]:
    """POST a form to the live service over a real socket; return status, content type and body."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("POST", parts.path, urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode()
    finally:
        connection.close()


def linkbacks(app: Flask) -> list[Comment]:
    """Every stored linkback, oldest first."""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        query = select(Comment).where(Comment.kind != Kind.COMMENT).order_by(Comment.id)
        return list(session.scalars(query))


def approve(mod_client: FlaskClient, comment_id: int) -> None:
    """Approve one entry through the moderation queue, which bakes its post."""
    response = mod_client.post(
        f"/moderate/comments/{comment_id}/approve", data={"csrf_token": moderation_token(mod_client)}
    )
    assert response.status_code == 303


def close_thread(app: Flask, slug: str) -> None:
    """Close a post's thread in the store."""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = session.scalar(select(Thread).where(Thread.slug == slug))
        assert thread is not None
        thread.closed = True


def trackbacks_section(html: str) -> str:
    """Return the baked trackbacks section of a page ("" when there is none)."""
    start = html.find('<section id="trackbacks"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""
