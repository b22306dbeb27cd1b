"""Endpoint discovery against real pages on loopback, case by case after the W3C (webmention.rocks) rules."""

from __future__ import annotations

import pytest

from comments_service.linkbacks import fetcher
from comments_service.linkbacks.discovery import Endpoint, discover

from .conftest import LOOPBACK_OK
from .pages import PageServer

TARGET_PATH = "/test/page"


def _html(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


# (Link headers, HTML, expected endpoint relative to the server root)
WEBMENTION_CASES = {
    "link-header-unquoted-rel-relative-url": ([("Link", "</endpoint/1>; rel=webmention")], _html(""), "/endpoint/1"),
    "link-header-unquoted-rel-absolute-url": (
        [("Link", "<{root}/endpoint/2>; rel=webmention")],
        _html(""),
        "/endpoint/2",
    ),
    "html-link-relative-url": ([], _html("", '<link rel="webmention" href="/endpoint/3">'), "/endpoint/3"),
    "html-link-absolute-url": ([], _html("", '<link rel="webmention" href="{root}/endpoint/4">'), "/endpoint/4"),
    "html-a-relative-url": ([], _html('<a rel="webmention" href="/endpoint/5">x</a>'), "/endpoint/5"),
    "html-a-absolute-url": ([], _html('<a rel="webmention" href="{root}/endpoint/6">x</a>'), "/endpoint/6"),
    "link-header-name-in-strange-casing": ([("LinK", '</endpoint/7>; rel="webmention"')], _html(""), "/endpoint/7"),
    "link-header-quoted-rel": ([("Link", '</endpoint/8>; rel="webmention"')], _html(""), "/endpoint/8"),
    "html-link-with-several-rel-values": (
        [],
        _html("", '<link rel="webmention somethingelse" href="/endpoint/9">'),
        "/endpoint/9",
    ),
    "link-header-with-several-rel-values": (
        [("Link", '</endpoint/10>; rel="webmention somethingelse"')],
        _html(""),
        "/endpoint/10",
    ),
    "link-header-wins-over-link-and-a": (
        [("Link", "</endpoint/11>; rel=webmention")],
        _html('<a rel="webmention" href="/wrong/a">x</a>', '<link rel="webmention" href="/wrong/link">'),
        "/endpoint/11",
    ),
    "rel-must-match-exactly-not-a-substring": (
        [("Link", '</wrong/header>; rel="not-webmention"')],
        _html('<a rel="not-webmention" href="/wrong/a">x</a><a rel="webmention" href="/endpoint/12">y</a>'),
        "/endpoint/12",
    ),
    "endpoint-inside-an-html-comment-is-skipped": (
        [],
        _html('<!-- <a rel="webmention" href="/wrong/comment">x</a> --><a rel="webmention" href="/endpoint/13">y</a>'),
        "/endpoint/13",
    ),
    "endpoint-in-escaped-html-is-skipped": (
        [],
        _html(
            '<code>&lt;a rel="webmention" href="/wrong/escaped"&gt;&lt;/a&gt;</code>'
            '<a rel="webmention" href="/endpoint/14">y</a>'
        ),
        "/endpoint/14",
    ),
    "empty-href-means-the-page-itself": ([], _html('<a rel="webmention" href="">x</a>'), TARGET_PATH),
    "a-before-link-in-document-order": (
        [],
        _html('<a rel="webmention" href="/endpoint/16">x</a><link rel="webmention" href="/wrong/link">'),
        "/endpoint/16",
    ),
    "link-before-a-in-document-order": (
        [],
        _html('<a rel="webmention" href="/wrong/a">x</a>', '<link rel="webmention" href="/endpoint/17">'),
        "/endpoint/17",
    ),
    "several-link-headers": (
        [("Link", '</wrong/other>; rel="other"'), ("Link", "</endpoint/18>; rel=webmention")],
        _html(""),
        "/endpoint/18",
    ),
    "one-link-header-with-comma-separated-values": (
        [("Link", '</wrong/other>; rel="other", </endpoint/19>; rel="webmention"')],
        _html(""),
        "/endpoint/19",
    ),
    "relative-url-with-query-string-kept": (
        [],
        _html("", '<link rel="webmention" href="/endpoint/20?query=yes">'),
        "/endpoint/20?query=yes",
    ),
    "absolute-url-with-query-string-kept": (
        [("Link", "<{root}/endpoint/21?query=yes&second=2>; rel=webmention")],
        _html(""),
        "/endpoint/21?query=yes&second=2",
    ),
    "relative-to-the-page-not-the-root": (
        [],
        _html('<a rel="webmention" href="endpoint/22">x</a>'),
        "/test/endpoint/22",
    ),
    "link-without-href-is-skipped": (
        [],
        _html('<a rel="webmention">no href</a><a rel="webmention" href="/endpoint/23">y</a>'),
        "/endpoint/23",
    ),
    "rel-value-casing-is-ignored": ([], _html('<a rel="WebMention" href="/endpoint/24">x</a>'), "/endpoint/24"),
    "link-header-params-in-any-case": ([("Link", '</endpoint/25>; REL="webmention"')], _html(""), "/endpoint/25"),
    "endpoint-inside-a-script-is-skipped": (
        [],
        _html(
            '<script>document.write(\'<a rel="webmention" href="/wrong/script">\')</script>'
            '<a rel="webmention" href="/endpoint/26">y</a>'
        ),
        "/endpoint/26",
    ),
    "area-elements-do-not-count": (
        [],
        _html('<map><area rel="webmention" href="/wrong/area"></map><a rel="webmention" href="/endpoint/27">y</a>'),
        "/endpoint/27",
    ),
    "link-header-on-a-plain-text-page": (
        [("Content-Type", "text/plain"), ("Link", "</endpoint/28>; rel=webmention")],
        '<a rel="webmention" href="/wrong/text">',
        "/endpoint/28",
    ),
}


@pytest.mark.parametrize("case", sorted(WEBMENTION_CASES))
def test_webmention_discovery(pages: PageServer, case: str) -> None:
    headers, html, expected = WEBMENTION_CASES[case]
    root = pages.url("")
    filled = [(name, value.replace("{root}", root)) for name, value in headers]
    url = pages.page(TARGET_PATH, html.replace("{root}", root), headers=filled)
    found = discover(fetcher.get(url, LOOPBACK_OK), url)
    assert found == Endpoint("webmention", root + expected)


def test_relative_urls_resolve_against_the_page_after_redirects(pages: PageServer) -> None:
    start = pages.redirect("/test/moved", "/other/final/page")
    pages.page("/other/final/page", _html('<a rel="webmention" href="endpoint">x</a>'), headers=[])
    response = fetcher.get(start, LOOPBACK_OK)
    assert discover(response, start) == Endpoint("webmention", pages.url("/other/final/endpoint"))


def test_relative_link_header_resolves_against_the_page_after_redirects(pages: PageServer) -> None:
    start = pages.redirect("/test/hop", "/deeper/path/page")
    pages.page("/deeper/path/page", _html(""), headers=[("Link", "<endpoint?x=1>; rel=webmention")])
    assert discover(fetcher.get(start, LOOPBACK_OK), start) == Endpoint(
        "webmention", pages.url("/deeper/path/endpoint?x=1")
    )


def test_pingback_x_pingback_header(pages: PageServer) -> None:
    url = pages.page(TARGET_PATH, _html(""), headers=[("X-Pingback", pages.url("/xmlrpc"))])
    assert discover(fetcher.get(url, LOOPBACK_OK), url) == Endpoint("pingback", pages.url("/xmlrpc"))


def test_pingback_link_element(pages: PageServer) -> None:
    url = pages.page(TARGET_PATH, _html("", '<link rel="pingback" href="/xmlrpc.php">'))
    assert discover(fetcher.get(url, LOOPBACK_OK), url) == Endpoint("pingback", pages.url("/xmlrpc.php"))


def test_webmention_is_preferred_over_pingback(pages: PageServer) -> None:
    head = '<link rel="pingback" href="/xmlrpc.php"><link rel="webmention" href="/wm">'
    url = pages.page(TARGET_PATH, _html("", head), headers=[("X-Pingback", pages.url("/xmlrpc"))])
    assert discover(fetcher.get(url, LOOPBACK_OK), url) == Endpoint("webmention", pages.url("/wm"))


def _rdf(identifier: str, ping: str) -> str:
    return (
        '<!-- <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">'
        f'<rdf:Description rdf:about="{identifier}" dc:identifier="{identifier}" dc:title="A post" '
        f'trackback:ping="{ping}" /></rdf:RDF> -->'
    )


def test_trackback_rdf_block_naming_the_page_is_chosen(pages: PageServer) -> None:
    url = pages.url(TARGET_PATH)
    body = _rdf(pages.url("/another"), "/trackback/another") + _rdf(url, "/trackback/this")
    pages.page(TARGET_PATH, _html(body))
    assert discover(fetcher.get(url, LOOPBACK_OK), url) == Endpoint("trackback", pages.url("/trackback/this"))


def test_pingback_is_preferred_over_trackback(pages: PageServer) -> None:
    url = pages.url(TARGET_PATH)
    pages.page(TARGET_PATH, _html(_rdf(url, "/tb"), '<link rel="pingback" href="/xmlrpc.php">'))
    assert discover(fetcher.get(url, LOOPBACK_OK), url) == Endpoint("pingback", pages.url("/xmlrpc.php"))


def test_a_page_without_endpoints_has_none(pages: PageServer) -> None:
    url = pages.page(
        TARGET_PATH, _html('<a rel="nofollow" href="/elsewhere">x</a><!-- <link rel="webmention" href="/x"> -->')
    )
    assert discover(fetcher.get(url, LOOPBACK_OK), url) is None
