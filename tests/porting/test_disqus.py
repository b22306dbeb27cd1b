"""Disqus imports: threads matched to posts, deleted comments as placeholders, spam and orphans left out."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments_service.rendering.loading import views_and_feeds
from comments_service.store.database import database
from comments_service.store.models import Comment, State
from comments_service.store.threads import get_thread

from .conftest import app_url, invoke, snapshot


def _posts(site_dir: Path) -> None:
    """The two posts isso's sample threads belong to: one by Disqus identifier, one by URL."""
    content = site_dir / "content"
    (content / "hello.md").write_text("Title: Hello, World!\nSlug: some-id\n\nHello.\n", encoding="utf-8")
    (content / "redacted.md").write_text("Title: Redacted\nDate: 2013-02-12\n\nText.\n", encoding="utf-8")


def test_isso_sample_gives_five_comments_and_reports_the_orphan(
    app: Flask, runner: FlaskCliRunner, acceptance: Path, site_dir: Path
) -> None:
    _posts(site_dir)
    result = invoke(runner, "import", "disqus", str(acceptance / "disqus" / "isso-disqus.xml"))
    assert result.exit_code == 0, result.output
    assert "1  orphans (their thread matches no post): #6 by 'where am I?'" in result.output
    with database(app_url(app)).transaction() as session:
        rows = {r.origin: r for r in session.scalars(select(Comment))}
        assert sorted(rows) == ["disqus:11", "disqus:4", "disqus:5", "disqus:8", "disqus:9"]
        assert rows["disqus:5"].parent_id == rows["disqus:4"].id
        assert rows["disqus:9"].state == State.DELETED and rows["disqus:11"].parent_id == rows["disqus:9"].id
        assert rows["disqus:8"].body_html == "<p>Message from thread with empty title and id</p>"
        thread = get_thread(session, "redacted")
        assert thread is not None and rows["disqus:8"].thread_id == thread.id
        view = views_and_feeds(session, ["some-id"])[0]["some-id"]
    placeholder = next(node for node in view.roots if node.deleted)
    assert placeholder.author == "" and [c.body_html for c in placeholder.children] == ["<p>Hello, World.</p>"]

    again = invoke(runner, "import", "disqus", str(acceptance / "disqus" / "isso-disqus.xml"))
    assert "nothing new" in again.output and "5  already imported" in again.output


SPAMMY = """<?xml version="1.0"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="1"><id>x</id><link>https://old.example/2013/02/12/redacted/</link><title>R</title>
<author><name>Owner</name><isAnonymous>false</isAnonymous><username>owner</username></author>
<isClosed>true</isClosed></thread>
{posts}</disqus>"""
POST = """<post dsq:id="{id}"><message><![CDATA[<p>{text}</p>]]></message><createdAt>2013-10-1{id}T06:51:33Z</createdAt>
<isDeleted>{deleted}</isDeleted><isSpam>{spam}</isSpam><author><name>{name}</name><isAnonymous>false</isAnonymous>
<username>{name}</username></author><thread dsq:id="1"/>{parent}</post>"""


def test_spam_stays_out_replies_move_up_and_lone_deletions_are_dropped(
    app: Flask, runner: FlaskCliRunner, site_dir: Path, tmp_path: Path
) -> None:
    _posts(site_dir)
    rows = [
        dict(id=1, text="Hi", deleted="false", spam="false", name="ann", parent=""),
        dict(id=2, text="Buy", deleted="false", spam="true", name="bot", parent='<parent dsq:id="1"/>'),
        dict(id=3, text="Reply", deleted="false", spam="false", name="owner", parent='<parent dsq:id="2"/>'),
        dict(id=4, text="", deleted="true", spam="false", name="cat", parent=""),
    ]
    path = tmp_path / "disqus.xml"
    path.write_text(SPAMMY.format(posts="".join(POST.format(**row) for row in rows)), encoding="utf-8")
    result = invoke(runner, "import", "disqus", str(path))
    assert "1  spam: #2 by 'bot'" in result.output and "1  deleted comments without replies: #4" in result.output
    with database(app_url(app)).transaction() as session:
        imported = {r.origin: r for r in session.scalars(select(Comment))}
        assert sorted(imported) == ["disqus:1", "disqus:3"]
        assert imported["disqus:3"].parent_id == imported["disqus:1"].id and imported["disqus:3"].by_post_author
        thread = get_thread(session, "redacted")
        assert thread is not None and thread.closed


@pytest.mark.parametrize(
    "name", ["remark42-disqus.xml", "remark42-disqus-deleted-post.xml", "remark42-disqus-deleted-thread.xml"]
)
def test_malformed_files_fail_with_a_location_and_change_nothing(
    app: Flask, runner: FlaskCliRunner, acceptance: Path, site_dir: Path, name: str
) -> None:
    _posts(site_dir)
    invoke(runner, "import", "disqus", str(acceptance / "disqus" / "isso-disqus.xml"))
    before = snapshot(app_url(app))
    result = invoke(runner, "import", "disqus", str(acceptance / "disqus" / name))
    assert result.exit_code == 1
    assert f"Error: {name}: line 1, column 1: not well-formed (invalid token). Nothing was imported." in result.output
    assert snapshot(app_url(app)) == before
