"""Atom feeds of approved comments: valid, escaped, linked from pages, and baked like a full build."""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from comments_service.baking import worker as worker_module
from comments_service.baking.lock import site_lock
from comments_service.baking.pass_bake import PassBake, bake_posts
from comments_service.baking.trigger import bake_worker, site_of, stop_worker
from comments_service.store.bake_jobs import Job, finish_all, pending, request_bake
from comments_service.store.database import database
from comments_service.store.models import Comment, State
from comments_service.store.threads import get_thread

from .baking_support import built_app, differences, fresh_build

ATOM = "{http://www.w3.org/2005/Atom}"


def _comment(app: Flask, slug: str, created: datetime, **fields: object) -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        values = {"author": "Ans", "body_html": "<p>Hallo</p>", "state": State.APPROVED, **fields}
        comment = Comment(thread=get_thread(session, slug), created=created, **values)
        session.add(comment)
        session.flush()
        return comment.id


def _bake(app: Flask, slug: str) -> list[Path]:
    return bake_posts(site_of(app), [slug])


def _feed(path: Path) -> ET.Element:
    root = ET.fromstring(path.read_bytes())
    assert root.tag == f"{ATOM}feed"
    for element in [root, *root.findall(f"{ATOM}entry")]:
        for required in ("id", "title", "updated"):
            assert element.find(f"{ATOM}{required}") is not None, required
        assert element.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", element.findtext(f"{ATOM}updated", ""))
    for entry in root.findall(f"{ATOM}entry"):
        assert entry.findtext(f"{ATOM}author/{ATOM}name"), "every entry names its author"
    return root


def test_feeds_are_valid_atom_and_escape_what_readers_wrote(app: Flask, output: Path) -> None:
    nasty = 'Piet <script>alert("x")</script> & \x07co'
    comment_id = _comment(
        app,
        "open-post",
        datetime(2010, 5, 1, 12, 0, tzinfo=UTC),
        author=nasty,
        website="javascript:alert(1)",
        body_html="<p>Een &amp; twee <em>drie</em>\x0b</p>",
    )
    changed = _bake(app, "open-post")
    assert output / "feeds/comments/open-post.atom.xml" in changed and output / "feeds/comments.atom.xml" in changed
    for path in ("feeds/comments/open-post.atom.xml", "feeds/comments.atom.xml"):
        [entry] = _feed(output / path).findall(f"{ATOM}entry")
        assert entry.findtext(f"{ATOM}author/{ATOM}name") == nasty.replace("\x07", "")
        assert entry.find(f"{ATOM}author/{ATOM}uri") is None, "only http(s) sites are linked"
        assert entry.findtext(f"{ATOM}content") == "<p>Een &amp; twee <em>drie</em></p>"
        assert entry.findtext(f"{ATOM}published") == "2010-05-01T12:00:00Z"
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href") == f"/open-post.html#comment-{comment_id}"
    empty = _feed(output / "feeds/comments/luisteren.atom.xml")
    assert empty.findall(f"{ATOM}entry") == [] and empty.findtext(f"{ATOM}title") == "Comments on Luisteren"


def test_pages_link_their_comment_feeds(output: Path) -> None:
    page = (output / "open-post.html").read_text()
    feed_link = '<link rel="alternate" type="application/atom+xml" href="{}"'
    assert feed_link.format("/feeds/comments/open-post.atom.xml") in page
    assert feed_link.format("/feeds/comments.atom.xml") in page
    assert feed_link.format("/feeds/comments.atom.xml") in (output / "index.html").read_text()
    assert (output / "feeds/comments/open-post.atom.xml").exists()


@pytest.fixture
def short_feed_app(database_url: str, site_dir: Path) -> Iterator[Flask]:
    """The service over a site whose comment feed shows the latest two comments only."""
    conf = site_dir / "pelicanconf.py"
    conf.write_text(conf.read_text() + '\nKILN["COMMENT_FEED_LENGTH"] = 2\n')
    app = built_app(database_url, site_dir)
    yield app
    stop_worker(app)


def test_the_site_feed_follows_the_latest_comments_across_posts(short_feed_app: Flask, tmp_path: Path) -> None:
    app, output = short_feed_app, site_of(short_feed_app).output
    steps = 0

    def bake_and_compare(slug: str) -> list[str]:
        nonlocal steps
        steps += 1
        _bake(app, slug)
        built = fresh_build(app, tmp_path / f"fresh-{steps}")
        feed = output / "feeds/comments.atom.xml"
        assert feed.read_bytes() == (built / "feeds/comments.atom.xml").read_bytes()
        return [e.findtext(f"{ATOM}content", "") for e in _feed(feed).findall(f"{ATOM}entry")]

    def at(day: int) -> datetime:
        return datetime(2011, 1, day, tzinfo=UTC)

    _comment(app, "open-post", at(1), body_html="een")
    assert bake_and_compare("open-post") == ["een"]
    _comment(app, "luisteren", at(3), body_html="drie")
    assert bake_and_compare("luisteren") == ["drie", "een"]
    _comment(app, "koude-acquisitie", at(2), body_html="twee")
    assert bake_and_compare("koude-acquisitie") == ["drie", "twee"]
    # Older than every entry of the full feed: that bake leaves the feed alone.
    _comment(app, "zeker", datetime(2000, 1, 1, tzinfo=UTC), body_html="oud")
    assert bake_and_compare("zeker") == ["drie", "twee"]
    with database(app.config["DATABASE_URL"]).transaction() as session:
        newest = session.scalars(select(Comment).where(Comment.body_html == "drie")).one()
        newest.state = State.DELETED
    assert bake_and_compare("luisteren") == ["twee", "een"]


def test_a_post_feed_shows_its_latest_comments_as_long_as_the_site_feed(short_feed_app: Flask, tmp_path: Path) -> None:
    app, output = short_feed_app, site_of(short_feed_app).output
    for day, body in [(1, "een"), (3, "drie"), (2, "twee")]:
        _comment(app, "open-post", datetime(2011, 1, day, tzinfo=UTC), body_html=body)
    _bake(app, "open-post")
    feed = output / "feeds/comments/open-post.atom.xml"
    assert [e.findtext(f"{ATOM}content") for e in _feed(feed).findall(f"{ATOM}entry")] == ["drie", "twee"]
    built = fresh_build(app, tmp_path / "fresh")
    assert feed.read_bytes() == (built / "feeds/comments/open-post.atom.xml").read_bytes()


def test_a_pass_over_several_posts_writes_the_files_they_share_once_like_a_full_build(
    short_feed_app: Flask, tmp_path: Path
) -> None:
    app, output = short_feed_app, site_of(short_feed_app).output
    stop_worker(app)
    slugs = [("open-post", 1), ("luisteren", 3), ("koude-acquisitie", 2)]
    for slug, day in slugs:
        _comment(app, slug, datetime(2011, 1, day, tzinfo=UTC), body_html=slug)
        with database(app.config["DATABASE_URL"]).transaction() as session:
            request_bake(session, slug)
    changed = bake_worker(app).run_pass()
    # Each post's own page and feed, and the index and the site feed once for all three.
    assert changed.count(output / "index.html") == 1 and changed.count(output / "feeds/comments.atom.xml") == 1
    assert {output / f"{slug}.html" for slug, _day in slugs} <= set(changed)
    assert differences(output, fresh_build(app, tmp_path / "fresh")) == []
    entries = _feed(output / "feeds/comments.atom.xml").findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}content") for e in entries] == ["luisteren", "koude-acquisitie"]
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert pending(session) == []


def test_a_pass_whose_shared_files_fail_keeps_its_posts_queued(
    short_feed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = short_feed_app
    stop_worker(app)
    with database(app.config["DATABASE_URL"]).transaction() as session:
        request_bake(session, "open-post")
        request_bake(session, "luisteren")

    def broken(*_args: object) -> list[Path]:
        raise RuntimeError("no index today")

    monkeypatch.setattr(PassBake, "finish", broken)
    bake_worker(app).run_pass()
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert sorted(job.slug for job in pending(session)) == ["luisteren", "open-post"]


def test_a_pass_skips_the_posts_another_process_baked_while_it_waited_for_the_lock(
    short_feed_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, url = short_feed_app, short_feed_app.config["DATABASE_URL"]
    stop_worker(app)
    with database(url).transaction() as session:
        for slug in ("open-post", "luisteren", "zeker"):
            request_bake(session, slug)
    listed, baked = threading.Event(), []
    monkeypatch.setattr(worker_module, "pending", _signalling(worker_module.pending, listed))
    monkeypatch.setattr(PassBake, "bake", _recording(PassBake.bake, baked))
    with site_lock(site_of(app).output):
        passing = threading.Thread(target=bake_worker(app).run_pass)
        passing.start()
        assert listed.wait(10)
        # Another process's pass bakes and finishes one post while this one waits for the lock.
        with database(url).transaction() as session:
            [job] = [job for job in pending(session) if job.slug == "luisteren"]
        finish_all(url, [job])
    passing.join(10)
    assert sorted(baked) == ["open-post", "zeker"]


def _signalling(function: Callable[[Session], list[Job]], event: threading.Event) -> Callable[[Session], list[Job]]:
    def signalling(session: Session) -> list[Job]:
        jobs = function(session)
        event.set()
        return jobs

    return signalling


def _recording(bake: Callable[..., list[Path]], slugs: list[str]) -> Callable[..., list[Path]]:
    def recording(self: PassBake, session: Session, slug: str, **options: bool) -> list[Path]:
        slugs.append(slug)
        return bake(self, session, slug, **options)

    return recording
