"""IPv4 written as one number, in hex or in octal is read as the resolver reads it, and refused at once."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from comments_service.linkbacks.fetcher import Refused, get, url_is_fetchable
from comments_service.linkbacks.reachable import literal_address
from comments_service.store.database import database
from comments_service.store.models import PendingWebmention

from .conftest import POST, STRICT
from .netguard import NetGuard

# Each is 10.0.0.1 or 192.168.1.1 as getaddrinfo (inet_aton) reads it, without asking DNS.
PRIVATE_NUMERIC = [
    "http://167772161/",
    "http://0xa.1/",
    "http://0xa000001/",
    "http://012.0.0.1/",
    "http://0300.0250.1.1/",
    "http://3232235777:8080/",
    "http://192.168.257/",
]
LOOPBACK_NUMERIC = ["http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/", "http://127.1/"]


@pytest.mark.parametrize(
    ("host", "address"),
    [("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("192.168.257", "192.168.1.1")],
)
def test_numeric_hosts_are_read_as_the_resolver_reads_them(host: str, address: str) -> None:
    assert str(literal_address(host)) == address


@pytest.mark.parametrize("host", ["example.com", "cafe.be", "deadbeef", "1e100.net"])
def test_names_stay_names(host: str) -> None:
    assert literal_address(host) is None


@pytest.mark.parametrize("url", PRIVATE_NUMERIC + LOOPBACK_NUMERIC)
def test_the_fetcher_refuses_numeric_private_hosts_without_a_lookup(url: str, guard: NetGuard) -> None:
    assert not url_is_fetchable(url, STRICT)
    with pytest.raises(Refused):
        get(url, STRICT)
    assert guard.connects == []


def test_a_webmention_from_a_numeric_private_host_is_400_at_once(
    lb_app: Flask, client: FlaskClient, guard: NetGuard
) -> None:
    for source in PRIVATE_NUMERIC:
        response = client.post(
            "/webmention", data={"source": source, "target": POST}, headers={"Accept": "application/json"}
        )
        assert response.status_code == 400, source
        assert "source" in response.get_json()["errors"], source
    with database(lb_app.config["DATABASE_URL"]).transaction() as session:
        assert session.scalar(select(func.count()).select_from(PendingWebmention)) == 0
    assert guard.connects == []
