"""Sending: `flask send-linkbacks SLUG` and `flask build --send-linkbacks` ping real loopback receivers once."""

from __future__ import annotations

import xmlrpc.client
from pathlib import Path
from urllib.parse import parse_qs

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments_service.store.database import database
from comments_service.store.models import SentLinkback

from .conftest import POST, SITE
from .netguard import NetGuard
from .pages import PageServer

TB_OK = '<?xml version="1.0" encoding="utf-8"?><response><error>0</error></response>'


def _xmlrpc_receiver(handler: object) -> None:
    seen = handler.server.pages.seen[-1]  # type: ignore[attr-defined]
    params, _method = xmlrpc.client.loads(seen.body)
    answer = xmlrpc.client.dumps((f"registered {params[0]}",), methodresponse=True).encode()
    handler.send_response(200)  # type: ignore[attr-defined]
    handler.send_header("Content-Type", "text/xml")  # type: ignore[attr-defined]
    handler.send_header("Content-Length", str(len(answer)))  # type: ignore[attr-defined]
    handler.end_headers()  # type: ignore[attr-defined]
    handler.wfile.write(answer)  # type: ignore[attr-defined]


def _receivers(pages: PageServer) -> dict[str, str]:
    """Four pages: one per protocol and one without an endpoint; return their URLs by protocol."""
    pages.page("/wm-endpoint", "", status=202)
    pages.handler("/xmlrpc", _xmlrpc_receiver)
    pages.page("/tb-endpoint", TB_OK, headers=[("Content-Type", "text/xml")])
    rdf = (
        '<!-- <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Description '
        f'dc:identifier="{pages.url("/tb-target")}" trackback:ping="/tb-endpoint" /></rdf:RDF> -->'
    )
    return {
        "webmention": pages.page("/wm-target", "<p>hi</p>", headers=[("Link", '</wm-endpoint>; rel="webmention"')]),
        "pingback": pages.page("/pb-target", "<p>hi</p>", headers=[("X-Pingback", pages.url("/xmlrpc"))]),
        "trackback": pages.page("/tb-target", f"<p>hi</p>{rdf}"),
        "none": pages.page("/plain-target", "<p>no endpoint</p>"),
        "broken": pages.page("/broken-target", "oops", status=500),
    }


def _write_post(site_dir: Path, slug: str, links: list[str]) -> None:
    body = " ".join(f"See [page {n}]({url})." for n, url in enumerate(links))
    (site_dir / "content" / f"{slug}.md").write_text(
        f"Title: Links from {slug}\nDate: 2009-08-01 09:00\nAuthor: Rikkert Walbeek\nCategory: Sales\n"
        f"Slug: {slug}\n\nA post with links. {body} And [our own post]({POST}).\n",
        encoding="utf-8",
    )


def _posts_to(pages: PageServer, path: str) -> list[bytes]:
    return [seen.body for seen in pages.seen if seen.method == "POST" and seen.path == path]


def _sent(app: Flask) -> dict[str, str]:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return {row.target_url: row.status for row in session.scalars(select(SentLinkback))}


def test_send_linkbacks_pings_each_linked_page_once_by_its_best_protocol(
    lb_app: Flask, runner: FlaskCliRunner, pages: PageServer, site_dir: Path, guard: NetGuard
) -> None:
    targets = _receivers(pages)
    _write_post(site_dir, "linking", list(targets.values()))
    assert runner.invoke(args=["build"]).exit_code == 0
    result = runner.invoke(args=["send-linkbacks", "linking"])
    assert result.exit_code == 0, result.output
    source = f"{SITE}/linking.html"

    [webmention] = _posts_to(pages, "/wm-endpoint")
    assert parse_qs(webmention.decode()) == {"source": [source], "target": [targets["webmention"]]}
    [call] = _posts_to(pages, "/xmlrpc")
    assert xmlrpc.client.loads(call) == ((source, targets["pingback"]), "pingback.ping")
    [trackback] = _posts_to(pages, "/tb-endpoint")
    fields = parse_qs(trackback.decode())
    assert fields["url"] == [source] and fields["title"] == ["Links from linking"]
    assert fields["blog_name"] == ["Sales 2.0"] and "page 2" in fields["excerpt"][0]
    assert _sent(lb_app) == {
        targets["webmention"]: "sent",
        targets["pingback"]: "sent",
        targets["trackback"]: "sent",
        targets["none"]: "no endpoint",
        targets["broken"]: "failed",
    }
    assert POST not in _sent(lb_app), "links to our own site are not pinged"

    # Nothing is sent twice; only the failed one is tried again.
    fetched_before = len(pages.seen)
    again = runner.invoke(args=["send-linkbacks", "linking"])
    assert again.exit_code == 0 and "broken-target: failed" in again.output
    assert [seen.path for seen in pages.seen[fetched_before:]] == ["/broken-target"]
    assert guard.non_loopback_attempts() == []


def test_build_sends_only_from_posts_new_in_that_build(
    lb_app: Flask, runner: FlaskCliRunner, pages: PageServer, site_dir: Path
) -> None:
    targets = _receivers(pages)
    assert runner.invoke(args=["build", "--send-linkbacks"]).exit_code == 0
    assert _sent(lb_app) == {}
    _write_post(site_dir, "fresh", [targets["webmention"]])
    result = runner.invoke(args=["build", "--send-linkbacks"])
    assert result.exit_code == 0, result.output
    assert _sent(lb_app) == {targets["webmention"]: "sent"}
    _write_post(site_dir, "fresher", [targets["pingback"]])
    assert runner.invoke(args=["build"]).exit_code == 0
    assert targets["pingback"] not in _sent(lb_app), "off unless asked for"
    lb_app.config["SEND_LINKBACKS_AFTER_BUILD"] = True
    _write_post(site_dir, "freshest", [targets["trackback"]])
    assert runner.invoke(args=["build"]).exit_code == 0
    assert set(_sent(lb_app)) == {targets["webmention"], targets["trackback"]}


def test_send_linkbacks_explains_user_mistakes(lb_app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["send-linkbacks", "no-such-post"])
    assert result.exit_code != 0 and "There is no post 'no-such-post'" in result.output
