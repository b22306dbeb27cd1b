"""The WordPress theme unit test data: imported, built by Pelican, every comment on its page."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments_service.baking.pelican_site import full_build
from comments_service.baking.trigger import site_of
from comments_service.store.database import database
from comments_service.store.models import Comment, Kind, State, Thread

from .conftest import app_url, invoke

DEMO_POSTS = {"zeker.md", "luisteren.md", "koude-acquisitie.md", "open-post.md"}


def _imported(content: Path) -> tuple[list[Path], list[Path]]:
    posts = [p for p in sorted(content.glob("*.md")) if p.name not in DEMO_POSTS]
    return posts, sorted((content / "pages").glob("*.md"))


def _depth(row: Comment, by_id: dict[int, Comment]) -> int:
    depth = 1
    while row.parent_id is not None:
        row, depth = by_id[row.parent_id], depth + 1
    return depth


def test_theme_unit_test_data_imports_and_the_site_builds(
    app: Flask, runner: FlaskCliRunner, acceptance: Path, site_dir: Path
) -> None:
    result = invoke(runner, "import", "wxr", str(acceptance / "wxr" / "themeunittestdata.wordpress.xml"))
    assert result.exit_code == 0, result.output
    posts, pages = _imported(site_dir / "content")
    assert len(posts) == 56
    assert sum("\nComments: closed\n" in p.read_text(encoding="utf-8") for p in posts) == 37
    assert "1  draft posts" in result.output and "1  future posts" in result.output

    with database(app_url(app)).transaction() as session:
        rows = list(session.scalars(select(Comment)))
        slug_of = {row.id: row.slug for row in session.execute(select(Thread.id, Thread.slug))}
    by_id = {r.id: r for r in rows}
    post_slugs = {p.stem for p in posts}
    on_posts = [r for r in rows if slug_of[r.thread_id] in post_slugs]
    assert len(on_posts) == 28
    assert Counter(r.kind for r in on_posts) == {Kind.COMMENT: 24, Kind.PINGBACK: 2, Kind.TRACKBACK: 2}
    assert sum(r.state == State.APPROVED for r in on_posts) == 27
    assert max(_depth(r, by_id) for r in on_posts) == 10
    on_pages = [r for r in rows if slug_of[r.thread_id] in {p.stem for p in pages}]
    assert {slug_of[r.thread_id] for r in on_pages} == {"page-with-comments", "blog"}
    assert len(on_pages) == 5

    full_build(site_of(app))
    output = site_of(app).output
    assert (output / "pages" / "page-with-comments.html").is_file()
    approved = [r for r in rows if r.state == State.APPROVED]
    assert len(approved) == 30
    for row in approved:
        folder = "pages/" if slug_of[row.thread_id] in {p.stem for p in pages} else ""
        page = (output / f"{folder}{slug_of[row.thread_id]}.html").read_text(encoding="utf-8")
        anchor = "comment" if row.kind == Kind.COMMENT else "trackback"
        assert f'id="{anchor}-{row.id}"' in page, (slug_of[row.thread_id], row.id)
    deep = (output / "template-comments.html").read_text(encoding="utf-8")
    assert 'class="comment depth-10' in deep
    assert "Comments on this entry are closed." in (output / "template-pingbacks-an-trackbacks.html").read_text()


def test_importing_twice_adds_nothing_the_second_time(
    app: Flask, runner: FlaskCliRunner, acceptance: Path, site_dir: Path
) -> None:
    source = str(acceptance / "wxr" / "themeunittestdata.wordpress.xml")
    invoke(runner, "import", "wxr", source)
    files = {p: p.read_bytes() for p in (site_dir / "content").rglob("*.md")}
    with database(app_url(app)).transaction() as session:
        before = session.scalars(select(Comment.id)).all()
    again = invoke(runner, "import", "wxr", source)
    assert again.exit_code == 0 and "nothing new" in again.output
    assert "33  already imported" in again.output and "77  content files already there" in again.output
    with database(app_url(app)).transaction() as session:
        assert session.scalars(select(Comment.id)).all() == before
    assert {p: p.read_bytes() for p in (site_dir / "content").rglob("*.md")} == files


def test_drafts_and_scheduled_posts_come_in_as_drafts_when_asked(
    runner: FlaskCliRunner, acceptance: Path, site_dir: Path
) -> None:
    source = str(acceptance / "wxr" / "themeunittestdata.wordpress.xml")
    result = invoke(runner, "import", "wxr", source, "--include-drafts")
    assert result.exit_code == 0, result.output
    assert "\nStatus: draft\n" in (site_dir / "content" / "draft.md").read_text(encoding="utf-8")
    scheduled = (site_dir / "content" / "scheduled.md").read_text(encoding="utf-8")
    assert "\nStatus: draft\n" in scheduled and "Date: 2030-01-01 19:00:18+00:00" in scheduled
