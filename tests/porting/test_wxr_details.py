"""WordPress imports in detail: namespaces, entities, states, authors, threading and failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments_service.store.database import database
from comments_service.store.models import Comment, State

from .conftest import app_url, invoke, snapshot

COMMENT = """<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_parent>{parent}</wp:comment_parent>
<wp:comment_author>{author}</wp:comment_author><wp:comment_author_url>{url}</wp:comment_author_url><wp:comment_author_email>{email}
</wp:comment_author_email><wp:comment_author_IP>192.0.2.{id}</wp:comment_author_IP>
<wp:comment_date>2020-01-0{id} 12:00:00</wp:comment_date>
<wp:comment_date_gmt>2020-01-0{id} 10:00:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{body}]]></wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved>
<wp:comment_user_id>{user}</wp:comment_user_id></wp:comment>"""

WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{ns}"><channel>
<wp:author><wp:author_id>7</wp:author_id><wp:author_login>ann</wp:author_login>
<wp:author_email>ann@example.org</wp:author_email>
<wp:author_display_name>Ann &amp;amp; Co</wp:author_display_name></wp:author>
<item><title>Fish &amp;amp; chips</title><dc:creator>ann</dc:creator><wp:post_id>5</wp:post_id>
<wp:post_date_gmt>2020-01-01 08:00:00</wp:post_date_gmt><wp:post_name>fish</wp:post_name><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><wp:comment_status>open</wp:comment_status>
<category domain="category" nicename="food"><![CDATA[Food &amp; drink]]></category>
<content:encoded><![CDATA[First paragraph.

Second <em>one</em>.]]></content:encoded>
{comments}</item></channel></rss>"""


COMMENT_FIELDS = ("id", "parent", "author", "email", "url", "body", "approved", "user")
COMMENTS = [
    (1, 0, "Tom &amp;amp; Jerry", "t@example.org", "https://tom.example/", "5 &amp; 6", "1", 0),
    (2, 1, "<![CDATA[Ann &amp; Co]]>", "x@example.org", "", "Thanks", "1", 7),
    (3, 2, "<![CDATA[Bob &amp;amp; Co]]>", "ANN@example.org", "", "line one\nline two", "0", 0),
    (4, 3, "Spammer", "s@example.org", "javascript:alert(1)", "buy", "spam", 0),
    (5, 0, "Gone", "g@example.org", "", "oops", "trash", 0),
]


def _comments() -> str:
    return "".join(COMMENT.format(**dict(zip(COMMENT_FIELDS, row, strict=True))) for row in COMMENTS)


def _write(tmp_path: Path, ns: str = "https://wordpress.org/export/1.2/") -> Path:
    path = tmp_path / "export.xml"
    path.write_text(WXR.format(ns=ns, comments=_comments()), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "ns",
    ["http://wordpress.org/export/1.0/", "http://wordpress.org/export/1.1/", "https://wordpress.org/export/1.2/"],
)
def test_every_wxr_version_and_scheme_is_read(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, site_dir: Path, ns: str
) -> None:
    result = invoke(runner, "import", "wxr", str(_write(tmp_path, ns)))
    assert result.exit_code == 0, result.output
    post = (site_dir / "content" / "fish.md").read_text(encoding="utf-8")
    assert post.startswith("Title: Fish &amp; chips\nDate: 2020-01-01 08:00:00+00:00\nAuthor: Ann & Co\n")
    assert "Category: Food & drink\n" in post and post.endswith("\n\nFirst paragraph.\n\nSecond *one*.\n")
    with database(app_url(app)).transaction() as session:
        assert len(session.scalars(select(Comment)).all()) == 5


def test_fields_states_and_authors_carry_over_with_entities_decoded_once(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    invoke(runner, "import", "wxr", str(_write(tmp_path)))
    with database(app_url(app)).transaction() as session:
        rows = {r.origin: r for r in session.scalars(select(Comment))}
        first, reply, third, spam, trash = (rows[f"wxr:5:{n}"] for n in range(1, 6))
        # XML decodes one layer, and WordPress's own HTML escaping of names is decoded once more:
        # what WordPress showed as text is what Kiln stores as text.
        assert first.author == "Tom & Jerry" and third.author == "Bob &amp; Co"
        assert first.email == "t@example.org" and first.ip == "192.0.2.1"
        assert first.body_html == "<p>5 &amp; 6</p>", "WordPress showed '5 & 6', and so does Kiln"
        assert reply.author == "Ann & Co" and reply.parent_id == first.id and reply.by_post_author
        assert third.by_post_author and third.parent_id == reply.id and not first.by_post_author
        assert third.body_html == "<p>line one<br>\nline two</p>"
        assert (first.state, third.state, spam.state, trash.state) == (
            State.APPROVED,
            State.PENDING,
            State.SPAM,
            State.DELETED,
        )
        assert spam.parent_id == third.id and spam.website == "" and first.website == "https://tom.example/"
        assert first.created.isoformat() == "2020-01-01T10:00:00+00:00"


def test_isso_export_keeps_its_three_levels(app: Flask, runner: FlaskCliRunner, acceptance: Path) -> None:
    result = invoke(runner, "import", "wxr", str(acceptance / "wxr" / "isso-wordpress.xml"))
    assert result.exit_code == 0, result.output
    assert "2  status-less posts" in result.output
    with database(app_url(app)).transaction() as session:
        rows = {r.origin: r for r in session.scalars(select(Comment))}
    assert len(rows) == 7
    top, middle = rows["wxr:18:6"], rows["wxr:18:7"]
    assert top.parent_id is None and middle.parent_id == top.id
    assert rows["wxr:18:8"].parent_id == middle.id and rows["wxr:18:9"].parent_id == middle.id
    assert rows["wxr:18:7"].created.isoformat() == "2014-04-29T15:21:35+00:00"
    assert rows["wxr:18:10"].created.isoformat() == "2022-06-06T02:13:14+00:00"
    assert rows["wxr:18:2"].email == "test@example.org"


def test_unsupported_version_and_foreign_files_are_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "import", "wxr", str(_write(tmp_path, "http://wordpress.org/export/1.3/")))
    assert result.exit_code == 1 and "unsupported WXR version" in result.output
    other = tmp_path / "other.xml"
    other.write_text("<rss><channel><item><title>x</title></item></channel></rss>")
    result = invoke(runner, "import", "wxr", str(other))
    assert result.exit_code == 1 and "not a WordPress export" in result.output


def test_a_failure_leaves_store_and_content_as_they_were(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, acceptance: Path
) -> None:
    invoke(runner, "import", "wxr", str(acceptance / "wxr" / "isso-wordpress.xml"))
    before = snapshot(app_url(app))
    content = tmp_path / "content"
    content.mkdir()
    # A file where the pages folder should be: the first posts are written, then the first page fails.
    (content / "pages").write_text("not a folder")
    source = acceptance / "wxr" / "themeunittestdata.wordpress.xml"
    result = invoke(runner, "import", "wxr", str(source), "--content-dir", str(content))
    assert result.exit_code == 1
    assert "about.md" in result.output and "Nothing was imported." in result.output
    assert "Traceback" not in result.output
    assert snapshot(app_url(app)) == before
    assert [p.name for p in content.iterdir()] == ["pages"]
