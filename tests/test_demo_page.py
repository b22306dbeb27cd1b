"""The Zeker demo page, built by a real Pelican run from the demo data."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from comments_service.baking.pelican_site import full_build
from comments_service.baking.trigger import site_of
from comments_service.baking.unit_of_work import UnitOfWork
from comments_service.demo import load_demo
from comments_service.store.database import database

# "{ 22 comments }" as the seed shows it, the braces hidden from screen readers.
BRACED = r'<span aria-hidden="true">\{{ </span>{}<span aria-hidden="true"> \}}</span>'


def _built_zeker(app: Flask) -> str:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        load_demo(UnitOfWork(session))
    full_build(site_of(app))
    return (site_of(app).output / "zeker.html").read_text(encoding="utf-8")


def test_zeker_page_reproduces_the_original(app: Flask) -> None:
    page = _built_zeker(app)
    assert len(re.findall(r'<li id="comment-\d+" class="comment[ "]', page)) == 22
    assert len(re.findall(r'class="comment [^"]*bypostauthor', page)) == 10
    assert page.count('class="badge author-badge"') == 10
    assert len(re.findall(r'class="trackback ', page)) == 1
    assert re.search(BRACED.format("1 trackback"), page)
    assert re.search(BRACED.format("22 comments"), page)
    assert "Comments on this entry are closed." in page
    assert "<form" not in page
    assert "by <a" in page and "Rikkert Walbeek</a> on <time" in page and "May 22, 2009</time>" in page
    assert "May 22, 2009 at 3:40\u202fPM" in page and "May 25, 2009 at 7:25\u202fAM" in page
    assert re.search(r'Next post: <a href="[^"]*luisteren.html"', page)
    assert re.search(r'Previous post: <a href="[^"]*koude-acquisitie.html"', page)


def test_author_replies_nest_under_the_comment_they_answer(app: Flask) -> None:
    page = _built_zeker(app)
    john = page.index("John Manschot")
    reply = page.index("Dank voor je aanvulling en compliment John.")
    dennis = page.index("Dennis Wijnberg (Oxilion)")
    between = page[john:reply]
    assert '<ol class="children">' in between and john < reply < dennis


def test_typography_and_the_empty_comment_survive(app: Flask) -> None:
    page = _built_zeker(app)
    assert "Grünn 😉" in page and "audiëntie" in page and "“lesje leren”" in page
    jean = re.search(r'Jean Klare</bdi></span>.*?<div class="comment-body"[^>]*>\s*</div>', page, re.DOTALL)
    assert jean, "Jean Klare's comment is shown with its empty body"
    assert '<a href="http://www.sales20.nl" rel="nofollow ugc">' in page


def test_index_lists_posts_with_comment_counts(app: Flask) -> None:
    _built_zeker(app)
    index = (site_of(app).output / "index.html").read_text(encoding="utf-8")
    assert re.search(r"zeker.html#comments\">(<!--[^>]*-->)?22 comments", index)
    assert re.search(r"luisteren.html#comments\">(<!--[^>]*-->)?No comments", index)


def test_demo_load_is_idempotent(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    with database(url).transaction() as session:
        assert load_demo(UnitOfWork(session)) == 23
    with database(url).transaction() as session:
        assert load_demo(UnitOfWork(session)) == 0


def test_demo_load_on_a_built_site_bakes_the_demo_page(runner: FlaskCliRunner, output: Path) -> None:
    assert not re.search(BRACED.format("22 comments"), (output / "zeker.html").read_text(encoding="utf-8"))
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0 and "23 entries added" in result.output, result.output
    assert re.search(BRACED.format("22 comments"), (output / "zeker.html").read_text(encoding="utf-8"))


def test_manifest_records_every_page_showing_a_posts_comment_data(app: Flask, output: Path) -> None:
    manifest = (output / ".kiln-manifest.json").read_text()
    for path in ("zeker.html", "index.html", "category/sales.html", "tag/sales.html", "author/rikkert-walbeek.html"):
        assert f'"{path}"' in manifest


def test_the_newest_post_has_no_empty_next_post_and_every_page_a_skip_link(app: Flask) -> None:
    _built_zeker(app)
    output = site_of(app).output
    newest = (output / "open-post.html").read_text(encoding="utf-8")
    assert "Next post:" not in newest and "Previous post:" in newest
    for page in ("zeker.html", "index.html", "archives.html"):
        html = (output / page).read_text(encoding="utf-8")
        assert '<a class="skip-link" href="#main"' in html and '<main id="main"' in html
        assert len(re.findall(r"<h1[ >]", html)) == 1, page
