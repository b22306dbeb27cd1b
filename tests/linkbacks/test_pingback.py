"""Pingback 1.0: XML-RPC calls through xmlrpc.client to the service running on 127.0.0.1."""

from __future__ import annotations

import http.client
import xmlrpc.client
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments_service.store.models import Kind, State

from .conftest import POST, SITE
from .helpers import approve, close_thread, linkbacks, source_html, trackbacks_section
from .netguard import NetGuard
from .pages import PageServer


def _fault(proxy: xmlrpc.client.ServerProxy, source: str, target: str) -> tuple[int, str]:
    with pytest.raises(xmlrpc.client.Fault) as caught:
        proxy.pingback.ping(source, target)
    return caught.value.faultCode, caught.value.faultString


def test_a_pingback_is_verified_held_approved_and_baked(
    live: str, pages: PageServer, lb_app: Flask, mod_client: FlaskClient, output: Path
) -> None:
    source = pages.page("/post", source_html(POST, title="Over <zekerheid> &amp; twijfel", words="Lees"))
    proxy = xmlrpc.client.ServerProxy(f"{live}/pingback")
    assert "held for moderation" in proxy.pingback.ping(source, POST)
    [row] = linkbacks(lb_app)
    assert (row.kind, row.state, row.source_url) == (Kind.PINGBACK, State.PENDING, source)
    assert row.title == "Over & twijfel" and row.blog_name == "Elsewhere Blog"
    assert row.body_source == "Lees this post about certainty, and say why."
    approve(mod_client, row.id)
    section = trackbacks_section((output / "open-post.html").read_text(encoding="utf-8"))
    assert 'class="trackback pingback"' in section and "Over &amp; twijfel" in section
    assert f'href="{source}" rel="nofollow ugc"' in section


def test_pingback_faults_follow_the_spec_and_hide_the_network(
    live: str, pages: PageServer, lb_app: Flask, guard: NetGuard
) -> None:
    proxy = xmlrpc.client.ServerProxy(f"{live}/pingback")
    linking = pages.page("/linking", source_html(POST))
    silent = pages.page("/silent", "<p>nothing</p>")
    missing = pages.url("/missing")
    guard.resolve("intranet.test", "10.20.30.40")
    assert _fault(proxy, missing, POST)[0] == 16
    assert _fault(proxy, "ftp://example.com/x", POST)[0] == 16
    assert _fault(proxy, silent, POST)[0] == 17
    assert _fault(proxy, linking, f"{SITE}/no-such-post.html")[0] == 32
    assert _fault(proxy, linking, "https://elsewhere.example/post")[0] == 33
    assert _fault(proxy, POST, POST)[0] == 0
    # Private, metadata and privately resolving sources all get the same bland fault 0.
    for private in (
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/",
        "http://intranet.test/",
        "http://[::ffff:127.0.0.1]/",
    ):
        assert _fault(proxy, private, POST) == (0, "The source could not be checked.")
    assert proxy.pingback.ping(linking, POST)
    assert _fault(proxy, linking, POST)[0] == 48
    close_thread(lb_app, "open-post")
    assert _fault(proxy, pages.page("/later", source_html(POST)), POST)[0] == 33
    assert len(linkbacks(lb_app)) == 1
    assert guard.non_loopback_attempts() == []


def test_malformed_calls_and_other_methods_get_faults(live: str, lb_app: Flask) -> None:
    proxy = xmlrpc.client.ServerProxy(f"{live}/pingback")
    multicall = xmlrpc.client.MultiCall(proxy)
    multicall.pingback.ping("http://a.example/", POST)
    with pytest.raises(xmlrpc.client.Fault) as caught:
        tuple(multicall())
    assert caught.value.faultCode == -32601
    with pytest.raises(xmlrpc.client.Fault) as caught:
        proxy.pingback.ping("only one")
    assert caught.value.faultCode == -32602
    connection = http.client.HTTPConnection("127.0.0.1", int(live.rsplit(":", 1)[1]), timeout=10)
    connection.request("POST", "/pingback", "<methodCall><oops", {"Content-Type": "text/xml"})
    with pytest.raises(xmlrpc.client.Fault) as caught:
        xmlrpc.client.loads(connection.getresponse().read())
    assert caught.value.faultCode == -32700


def test_pingbacks_are_limited_per_source_host(live: str, pages: PageServer, lb_app: Flask, guard: NetGuard) -> None:
    lb_app.config["LINKBACK_SOURCE_RATE_LIMIT"] = "2 per minute"
    guard.resolve("other.test", pages.host)
    proxy = xmlrpc.client.ServerProxy(f"{live}/pingback")
    first, second, third = (pages.page(f"/p{n}", source_html(POST)) for n in range(3))
    assert proxy.pingback.ping(first, POST) and proxy.pingback.ping(second, POST)
    assert _fault(proxy, third, POST)[0] == 49
    assert proxy.pingback.ping(pages.url("/p2", host="other.test"), POST)
