"""Pages point senders at the endpoints: head links and RDF in built articles, headers where the service serves."""

from __future__ import annotations

from email.message import Message
from pathlib import Path

from flask import Flask

from comments_service import create_app
from comments_service.linkbacks.discovery import Endpoint, discover, pingback_endpoint, trackback_endpoint
from comments_service.linkbacks.fetcher import Response
from comments_service.linkbacks.page import read_page

from .conftest import POST, SITE


def _as_fetched(html: str) -> Response:
    headers = Message()
    headers["Content-Type"] = "text/html; charset=utf-8"
    return Response(url=POST, status=200, headers=headers, body=html.encode())


def test_article_pages_advertise_the_three_endpoints_early_in_head(output: Path) -> None:
    html = (output / "open-post.html").read_text(encoding="utf-8")
    head = html[: html.index("</head>")]
    assert f'<link rel="pingback" href="{SITE}/pingback">' in head
    assert f'<link rel="webmention" href="{SITE}/webmention">' in head
    assert head.index('rel="pingback"') < head.index("<title>")
    assert f'dc:identifier="{POST}"' in head and f'trackback:ping="{SITE}/trackback/open-post"' in head
    # A sender's discovery (ours) finds each of them in the built page.
    fetched = _as_fetched(html)
    assert discover(fetched, POST) == Endpoint("webmention", f"{SITE}/webmention")
    assert pingback_endpoint(fetched, read_page(fetched)) == f"{SITE}/pingback"
    assert trackback_endpoint(read_page(fetched), POST) == f"{SITE}/trackback/open-post"
    assert 'rel="pingback"' not in (output / "index.html").read_text(encoding="utf-8")


def test_the_service_adds_discovery_headers_to_html_it_serves(app: Flask, output: Path) -> None:
    served = create_app({**app.config, "SERVE_SITE": True})
    client = served.test_client()
    page = client.get("/open-post.html")
    assert page.status_code == 200
    assert page.headers["X-Pingback"] == "http://localhost/pingback"
    assert page.headers["Link"] == '<http://localhost/webmention>; rel="webmention"'
    stylesheet = client.get("/theme/css/kiln.css")
    assert stylesheet.status_code == 200 and "X-Pingback" not in stylesheet.headers
