"""The fetcher refuses every non-public address, bounds size and time, and connects only to what it checked."""

from __future__ import annotations

import socket
import time

import pytest

from comments_service.linkbacks import fetcher
from comments_service.linkbacks.fetcher import Policy

from .conftest import LOOPBACK_OK, STRICT
from .netguard import GuardRefused, NetGuard
from .pages import PageServer, huge, trickle

FORBIDDEN_URLS = [
    "http://127.0.0.1:8080/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:8080/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://0x7f.1/",
    "http://2130706433/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[::]/",
    "http://[2002:7f00:1::1]/",
    "https://localhost/",
]


def _assert_no_forbidden_connection(guard: NetGuard) -> None:
    assert guard.non_loopback_attempts() == [], "a connection to a forbidden address was attempted"
    assert guard.refused == []


def test_the_guard_itself_refuses_and_records_non_loopback_connections(guard: NetGuard) -> None:
    # The guard is what proves the other tests: it must stop a connection even if the fetcher were wrong.
    with pytest.raises(GuardRefused):
        socket.create_connection(("10.0.0.1", 80), timeout=1)
    assert guard.refused == [("10.0.0.1", 80)]
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 80)


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_forbidden_addresses_are_refused_before_any_connection(guard: NetGuard, url: str) -> None:
    with pytest.raises(fetcher.Refused):
        fetcher.get(url, STRICT)
    assert guard.connects == [], "nothing may be connected to, not even loopback"


def test_loopback_is_refused_without_the_test_allowance_even_when_a_server_answers(
    guard: NetGuard, pages: PageServer
) -> None:
    url = pages.page("/real", "<p>a real page</p>")
    assert fetcher.get(url, LOOPBACK_OK).status == 200
    guard.connects.clear()
    with pytest.raises(fetcher.Refused):
        fetcher.get(url, STRICT)
    assert guard.connects == [] and pages.seen[-1].path == "/real" and len(pages.seen) == 1


def test_a_name_resolving_to_a_private_address_is_refused(guard: NetGuard) -> None:
    guard.resolve("intranet.test", "10.1.2.3")
    with pytest.raises(fetcher.Refused):
        fetcher.get("http://intranet.test/", STRICT)
    assert guard.lookups == ["intranet.test"]
    _assert_no_forbidden_connection(guard)


def test_every_resolved_address_is_checked_not_just_the_first(guard: NetGuard) -> None:
    guard.resolve("mixed.test", "93.184.216.34", "192.168.0.7")
    with pytest.raises(fetcher.Refused):
        fetcher.get("http://mixed.test/", STRICT)
    assert guard.connects == []


def test_a_public_address_passes_the_checks_and_reaches_connect(guard: NetGuard) -> None:
    # The positive control: the fetcher does try a public address, and the guard stops the packet.
    guard.resolve("public.test", "93.184.216.34")
    with pytest.raises(fetcher.Unreachable):
        fetcher.get("http://public.test/", STRICT)
    assert guard.refused == [("93.184.216.34", 80)]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://user:secret@example.com/",
        "http://user@example.com/",
        "http://example.com:22/",
        "http://example.com:6379/",
        "https://example.com:8443/",
        "http:///nohost",
        "not a url",
    ],
)
def test_urls_outside_the_rules_are_refused_without_even_a_lookup(guard: NetGuard, url: str) -> None:
    with pytest.raises(fetcher.Refused):
        fetcher.get(url, STRICT)
    assert guard.lookups == [] and guard.connects == []


def test_a_redirect_to_a_private_address_is_refused(guard: NetGuard, pages: PageServer) -> None:
    url = pages.redirect("/hop", "http://10.0.0.1/admin")
    with pytest.raises(fetcher.Refused):
        fetcher.get(url, LOOPBACK_OK)
    assert pages.seen[-1].path == "/hop"
    _assert_no_forbidden_connection(guard)


def test_a_redirect_to_a_name_resolving_privately_is_refused(guard: NetGuard, pages: PageServer) -> None:
    guard.resolve("metadata.test", "169.254.169.254")
    url = pages.redirect("/hop", "http://metadata.test/latest/")
    with pytest.raises(fetcher.Refused):
        fetcher.get(url, LOOPBACK_OK)
    assert "metadata.test" in guard.lookups
    _assert_no_forbidden_connection(guard)


def test_at_most_five_redirects_are_followed(pages: PageServer) -> None:
    for hop in range(6):
        pages.redirect(f"/r{hop}", f"/r{hop + 1}")
    pages.page("/r6", "<p>end</p>")
    assert fetcher.get(pages.url("/r1"), LOOPBACK_OK).url == pages.url("/r6")
    with pytest.raises(fetcher.Unreachable, match="redirects"):
        fetcher.get(pages.url("/r0"), LOOPBACK_OK)


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_50_mb_source_is_abandoned_after_1_mib(pages: PageServer, declare_length: bool) -> None:
    url = pages.handler("/big", huge(50 * 1024 * 1024, declare_length))
    started = time.monotonic()
    with pytest.raises(fetcher.TooLarge):
        fetcher.get(url, LOOPBACK_OK)
    assert time.monotonic() - started < 5


def test_a_page_at_the_size_limit_is_read_whole(pages: PageServer) -> None:
    policy = Policy(allow_loopback=True, max_bytes=1000)
    assert len(fetcher.get(pages.page("/fits", "x" * 1000), policy).body) == 1000
    with pytest.raises(fetcher.TooLarge):
        fetcher.get(pages.page("/over", "x" * 1001), policy)


@pytest.mark.parametrize("in_headers", [False, True])
def test_a_source_trickling_a_byte_a_second_is_abandoned_at_the_deadline(pages: PageServer, in_headers: bool) -> None:
    url = pages.handler("/slow", trickle(in_headers))
    policy = Policy(allow_loopback=True, deadline=1.5)
    started = time.monotonic()
    with pytest.raises(fetcher.Timeout):
        fetcher.get(url, policy)
    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 3.0, elapsed


@pytest.mark.parametrize("content_type", ["image/png", "application/json", "application/octet-stream"])
def test_only_html_and_plain_text_are_read(pages: PageServer, content_type: str) -> None:
    url = pages.page("/typed", "{}", headers=[("Content-Type", content_type)])
    with pytest.raises(fetcher.WrongType):
        fetcher.get(url, LOOPBACK_OK)


def test_the_connection_goes_to_the_checked_address_with_the_name_in_host(guard: NetGuard, pages: PageServer) -> None:
    guard.resolve("source.test", pages.host)
    pages.page("/named", "<p>hello</p>")
    response = fetcher.get(pages.url("/named", host="source.test"), LOOPBACK_OK)
    assert response.status == 200 and response.text() == "<p>hello</p>"
    assert guard.lookups == ["source.test"]
    assert guard.connects == [(pages.host, 8080)]
    seen = pages.seen[-1].headers
    assert seen["Host"] == "source.test:8080"
    assert seen["User-Agent"].startswith("Kiln/")


def test_a_name_is_resolved_once_so_rebinding_cannot_swap_the_address(
    guard: NetGuard, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def rebinding(host: str, port: int, *args: object) -> list[tuple[object, ...]]:
        calls.append(host)
        address = pages.host if len(calls) == 1 else "10.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    pages.page("/once", "<p>once</p>")
    assert fetcher.get(pages.url("/once", host="rebind.test"), LOOPBACK_OK).status == 200
    assert calls == ["rebind.test"]
    assert guard.connects == [(pages.host, 8080)]
