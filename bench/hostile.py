"""Benchmark: what hostile comment text costs at each entrance, at 8 KiB and at 64 KiB.

Every input family (a long run of one punctuation character, deep quotes and lists, tag and
entity soup, address-like tokens…) is fed to every entrance at both sizes; a ratio near 8 is
linear, near 64 quadratic. The last line is the headline: approving a 64 KiB hostile comment,
training included, through the moderator's endpoint. Run from the repository root:

    .venv/bin/python -m bench.hostile
    .venv/bin/python -m bench.hostile --entrances submit,approve --families "run of @,deep quotes"
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import string
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from defusedxml.ElementTree import fromstring
from flask import Flask
from flask.testing import FlaskClient

from comments_service.linkbacks.discovery import trackback_endpoint
from comments_service.linkbacks.page import read_html
from comments_service.linkbacks.receive import mention_from
from comments_service.linkbacks.trackback import ONE_LINE
from comments_service.linkbacks.verify import mention_in
from comments_service.moderation.accounts import create_user
from comments_service.porting.disqus import read_disqus
from comments_service.porting.summary import Summary
from comments_service.porting.wxr import plan_wxr
from comments_service.porting.wxr_items import read_export
from comments_service.store.database import database
from comments_service.store.migrate import upgrade
from comments_service.store.models import Kind, Role
from comments_service.text.sanitize import render_body, text_to_html
from comments_service.text.text_policy import field_problems
from tests.conftest import MODERATOR, REPO, built_app
from tests.helpers import csrf_token_from
from tests.spam_corpus import halves, train_filter

SMALL, LARGE = 8 * 1024, 64 * 1024
REPEATS = 3


def fill(unit: str, size: int) -> str:
    """Return unit repeated to exactly size characters."""
    return (unit * (size // len(unit) + 1))[:size]


def _family(unit: str, head: str = "", tail: str = "") -> Callable[[int], str]:
    return lambda size: head + fill(unit, size - len(head) - len(tail)) + tail


def _nested(opening: str, closing: str) -> Callable[[int], str]:
    return lambda size: opening * (size // 2 // len(opening)) + closing * (size // 2 // len(closing))


# Each family makes a text of about the given size; the name says what the text is made of.
FAMILIES: dict[str, Callable[[int], str]] = {
    **{f"run of {c}": _family(c) for c in string.punctuation},
    "words": _family("lorem ipsum dolor sit amet "),
    "digits": _family("9"),
    "consonants": _family("qwrtzpsdfg"),
    "nested brackets": _nested("[", "]"),
    "nested parentheses": _nested("(", ")"),
    "link openers": _family("[a]("),
    "nested links": _nested("[", "](http://a.example/)"),
    "nested emphasis": _nested("*_", "_*"),
    "emphasis pairs": _family("*a"),
    "strong pairs": _family("**a"),
    "code spans": _family("`a"),
    "deep quotes": _family("> ", tail="x"),
    "deep lists": _family("- ", tail="x"),
    "deep numbered lists": _family("1. ", tail="x"),
    "deep quoted lists": _family("> - ", tail="x"),
    "quote lines": _family("> x\n"),
    "list lines": _family("- x\n"),
    "e-mail-like token": _family("a", tail="@b.c"),
    "e-mail-like pieces": _family("a@b."),
    "at-dot pairs": _family("@."),
    "url-like token": _family("a", head="http://"),
    "url-like path": _family("a/", head="http://a.example/"),
    "scheme run": _family("http://"),
    "www run": _family("www."),
    "many urls": _family("https://a.example "),
    "tag openers": _family("<a"),
    "tag openers with space": _family("<a "),
    "unclosed attribute": _family("a", head='<a title="'),
    "end tags": _family("</"),
    "comment openers": _family("<!--"),
    "cdata openers": _family("<![CDATA["),
    "processing instructions": _family("<?"),
    "entity openers": _family("&#"),
    "hex entity openers": _family("&#x"),
    "entities": _family("&amp;"),
    "phone-like": _family(" (", head="+1"),
    "no-break spaces": _family("x\u00a0"),
    "ampersand words": _family("a&"),
    "nested tags": _family("<blockquote>"),
    "nested tags with text": _family("<b>&amp; "),
    "unclosed quotes in tags": _family('<"'),
}


# An entrance's timer: the text and how many runs to take the least of, in seconds.
Timer = Callable[[str, int], float]


def best_time(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """Return the least wall-clock time of several runs of action, in seconds (the least is the least noisy)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def growth(
    measure: Timer, family: Callable[[int], str], small_repeats: int = REPEATS, large_repeats: int = REPEATS
) -> tuple[float, float]:
    """Return the least time measure reports for the family's text at SMALL and at LARGE."""
    return measure(family(SMALL), small_repeats), measure(family(LARGE), large_repeats)


# The entrances. Each takes the hostile text and a number of runs, and returns the least seconds it cost there.

JSON = {"Accept": "application/json"}
POST_SLUG = "open-post"
TARGET = "https://blog.example/2009/open-post.html"
NO_LIMIT = "1000000 per minute"
_addresses = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in itertools.count(1))


def prepare(app: Flask) -> Flask:
    """Train the app's learning filter on the corpus until it judges, and add the moderator account."""
    train_filter(app, halves()[0])
    with database(app.config["DATABASE_URL"]).transaction() as session:
        create_user(session, *MODERATOR, role=Role.MODERATOR)
    return app


def logged_in(app: Flask) -> tuple[FlaskClient, str]:
    """Return a client logged in as the moderator, and its CSRF token."""
    client = app.test_client()
    token = csrf_token_from(client.get("/moderate/login").get_data(as_text=True))
    client.post("/moderate/login", data={"username": MODERATOR[0], "password": MODERATOR[1], "csrf_token": token})
    return client, csrf_token_from(client.get("/moderate/login").get_data(as_text=True))


def submit(app: Flask, body: str, author: str) -> int:
    """Post a comment as a reader from an address of its own; return its id."""
    response = app.test_client().post(
        f"/comments/{POST_SLUG}/",
        data={"author": author, "body": body},
        headers=JSON,
        environ_base={"REMOTE_ADDR": next(_addresses)},
    )
    assert response.status_code in (201, 202), response.get_data(as_text=True)[:300]
    return int(response.get_json()["id"])


def submit_time(app: Flask, body: str, authors: Iterator[str], repeats: int) -> float:
    """Time posting the text as a comment (validation, Markdown, sanitiser, every spam check)."""
    return best_time(lambda: submit(app, body, next(authors)), repeats)


def approve_time(
    app: Flask, moderator: tuple[FlaskClient, str], body: str, authors: Iterator[str], repeats: int
) -> float:
    """Time approving a comment holding the text (training the filter included); each is deleted after."""
    client, token = moderator
    times = []
    for _ in range(repeats):
        comment_id = submit(app, body, next(authors))
        started = time.perf_counter()
        response = client.post(f"/moderate/comments/{comment_id}/approve", data={"csrf_token": token})
        times.append(time.perf_counter() - started)
        assert response.status_code == 303, response.status_code
        # Taken off the page again, so the next approval's bake does not grow with the ones before.
        client.post(f"/moderate/comments/{comment_id}/delete", data={"csrf_token": token})
    return min(times)


def edit_time(app: Flask, moderator: tuple[FlaskClient, str], body: str, authors: Iterator[str], repeats: int) -> float:
    """Time a moderator replacing a short comment's body with the text."""
    client, token = moderator
    comment_id = submit(app, "Short and sweet.", next(authors))

    def edit() -> None:
        response = client.post(f"/moderate/comments/{comment_id}/edit", data={"body": body, "csrf_token": token})
        assert response.status_code == 303, response.status_code

    return best_time(edit, repeats)


WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>Post</title>
<wp:post_id>5</wp:post_id><wp:post_name>post</wp:post_name><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><wp:post_date_gmt>2020-01-01 08:00:00</wp:post_date_gmt>
{comments}</item></channel></rss>"""
WXR_COMMENT = """<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_type>{kind}</wp:comment_type>
<wp:comment_author>Ann</wp:comment_author><wp:comment_author_url>https://ann.example/</wp:comment_author_url>
<wp:comment_date_gmt>2020-01-02 10:00:00</wp:comment_date_gmt><wp:comment_approved>1</wp:comment_approved>
<wp:comment_content><![CDATA[{body}]]></wp:comment_content></wp:comment>"""
DISQUS = """<?xml version="1.0"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<post dsq:id="1"><message><![CDATA[{body}]]></message><createdAt>2013-10-10T06:51:33Z</createdAt>
<author><name>Ann</name></author><thread dsq:id="1"/></post></disqus>"""


def _cdata(body: str) -> str:
    return body.replace("]]>", "]]]]><![CDATA[>")


def import_wxr(body: str) -> None:
    """Read a WordPress export holding the text as a comment and as a pingback, and render both."""
    comments = "".join(WXR_COMMENT.format(id=n, kind=kind, body=_cdata(body)) for n, kind in ((1, ""), (2, "pingback")))
    export = read_export(fromstring(WXR.format(comments=comments)))
    plan = plan_wxr(export, "export.xml", Path("content"), "pages", False, Summary(source="export.xml"))
    for planned in plan.comments:
        render_body(planned.body_source, planned.body_format)


def import_disqus(body: str) -> None:
    """Read a Disqus export holding the text as a comment, and render it."""
    _, posts = read_disqus(fromstring(DISQUS.format(body=_cdata(body))))
    for post in posts:
        render_body(post.message, "html")


def import_json(body: str) -> None:
    """Read a Kiln export record holding the text, and render it in each body format."""
    record = json.loads(json.dumps({"body_source": body}))
    for body_format in ("markdown", "html", "text"):
        render_body(record["body_source"], body_format)


IMPORTERS: dict[str, Callable[[str], None]] = {"wxr": import_wxr, "disqus": import_disqus, "json": import_json}


def linkback_text(body: str) -> None:
    """Take the text as a TrackBack's form fields and as source pages, as the receiver and the sender read them."""
    fields = {"url": SOURCE, "title": body, "excerpt": body, "blog_name": body}
    field_problems(fields, ONE_LINE)
    found = mention_in(read_html(SOURCE, SOURCE_PAGE.format(body=body, target=TARGET)), TARGET)
    mention = mention_from(Kind.TRACKBACK, SOURCE, found, title=body, excerpt=body, blog_name=body)
    text_to_html(mention.excerpt)
    text_to_html(mention_from(Kind.WEBMENTION, SOURCE, found).excerpt)
    # The text as the whole page, unwrapped, and inside a TrackBack autodiscovery comment.
    for markup in (body, RDF_PAGE.format(body=body)):
        page = read_html(SOURCE, markup)
        mention_in(page, TARGET)
        trackback_endpoint(page, TARGET)


SOURCE = "https://source.example/"
SOURCE_PAGE = """<html><head><title>{body}</title><meta property="og:site_name" content="x"></head>
<body><p>{body} <a href="{target}">the post</a> {body}</p></body></html>"""
RDF_PAGE = """<!-- <rdf:RDF><rdf:Description trackback:ping="/tb" dc:title="{body}" /> {body} -->"""


def service(folder: Path) -> Iterator[Flask]:
    """Yield the service over a fresh SQLite store and a built copy of the demo site, its filter trained."""
    url = f"sqlite:///{folder / 'kiln.sqlite3'}"
    upgrade(url)
    site = folder / "site"
    site.mkdir()
    shutil.copy(REPO / "pelicanconf.py", site)
    for name in ("content", "theme", "plugins"):
        shutil.copytree(REPO / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    (site / "content" / f"{POST_SLUG}.md").write_text(
        f"Title: Open post\nDate: 2009-07-01 09:00\nSlug: {POST_SLUG}\n\nOpen for comments.\n", encoding="utf-8"
    )
    # Many comments come from few addresses here; the limits are not what is measured.
    for app in built_app(url, site, FLOOD_SECONDS=0, SUBMIT_RATE_LIMIT=NO_LIMIT, PUBLIC_RATE_LIMIT=NO_LIMIT):
        yield prepare(app)
    database(url).dispose()


def measures(app: Flask, authors: Iterator[str]) -> dict[str, Timer]:
    """Return, by entrance name, a function timing the given text at that entrance of app."""
    moderator = logged_in(app)

    def importer(read: Callable[[str], None]) -> Timer:
        return lambda body, repeats: best_time(lambda: read(body), repeats)

    return {
        "submit": lambda body, repeats: submit_time(app, body, authors, repeats),
        "approve": lambda body, repeats: approve_time(app, moderator, body, authors, repeats),
        "edit": lambda body, repeats: edit_time(app, moderator, body, authors, repeats),
        **{f"import {name}": importer(read) for name, read in IMPORTERS.items()},
        "linkback": importer(linkback_text),
    }


def main() -> None:
    """Print each entrance's cost for each family at both sizes, then the headline approval figure."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entrances", default="", help="Comma-separated entrances to run (default: all).")
    parser.add_argument("--families", default="", help="Comma-separated input families to run (default: all).")
    args = parser.parse_args()
    families = [name for name in args.families.split(",") if name] or list(FAMILIES)
    authors = (f"Reader {n}" for n in itertools.count())
    with tempfile.TemporaryDirectory() as folder:
        for app in service(Path(folder)):
            timers = measures(app, authors)
            print(f"{'entrance':<14} {'family':<26} {SMALL // 1024:>5} KiB {LARGE // 1024:>6} KiB  ratio")
            worst = 0.0
            for entrance in [name for name in args.entrances.split(",") if name] or list(timers):
                for family in families:
                    small, large = growth(timers[entrance], FAMILIES[family])
                    figures = f"{small * 1000:7.1f} ms {large * 1000:8.1f} ms  {large / small:5.1f}"
                    print(f"{entrance:<14} {family:<26} {figures}", flush=True)
                    if entrance == "approve":
                        worst = max(worst, large)
            if worst:
                print(f"headline: approving a {LARGE // 1024} KiB hostile comment, training in: {worst * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
