"""Which URLs and network addresses the fetcher may reach: public http(s) hosts on web ports only."""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from urllib.parse import SplitResult, urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})
ALLOWED_PORTS = frozenset({80, 443, 8080})
DEFAULT_PORTS = {"http": 80, "https": 443}
# Shared address space (RFC 6598): carrier-grade NAT, never a public web server.
CGNAT = ipaddress.ip_network("100.64.0.0/10")

IPAddress = IPv4Address | IPv6Address


class RefusedURL(ValueError):
    """A URL the fetcher will not request, judged from its text alone."""


class BlockedAddress(ValueError):
    """A host that is, or resolves to, an address outside the public internet."""


@dataclass(frozen=True)
class Target:
    """A checked URL split into what a connection needs."""

    parts: SplitResult
    host: str
    port: int
    tls: bool

    @property
    def path(self) -> str:
        """Return the request target: path and query, never the fragment."""
        path = self.parts.path or "/"
        return f"{path}?{self.parts.query}" if self.parts.query else path


def check_url(url: str) -> Target:
    """Split url and refuse anything but http(s) on ports 80, 443 or 8080 without credentials."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedURL(f"not a valid URL: {error}") from error
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise RefusedURL("only http and https URLs are fetched")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("URLs with credentials are not fetched")
    if not parts.hostname:
        raise RefusedURL("the URL has no host")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise RefusedURL("the URL contains spaces or control characters")
    port = port if port is not None else DEFAULT_PORTS[scheme]
    if port not in ALLOWED_PORTS:
        raise RefusedURL("only ports 80, 443 and 8080 are fetched")
    return Target(parts=parts, host=parts.hostname, port=port, tls=scheme == "https")


# The characters of IPv4 in any form the resolver reads: dotted, one number, hex (0x7f.1), octal (0177.0.0.1).
_NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")


def literal_address(host: str) -> IPAddress | None:
    """Return host as an IP address if it is written as one, in any form the system's resolver reads as one."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # getaddrinfo reads "2130706433", "0x7f.1" and "0177.0.0.1" as 127.0.0.1 without asking DNS,
    # by inet_aton's rules; reading them by the same rules keeps them from passing as names.
    if not _NUMERIC_HOST.fullmatch(host):
        return None
    try:
        return IPv4Address(socket.inet_aton(host.rstrip(".")))
    except OSError:
        return None


def is_forbidden(address: IPAddress, allow_loopback: bool = False) -> bool:
    """Tell whether address is anything but a public unicast address (loopback only if allowed)."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            # Never reach IPv4 through mapped addresses: they bypass IPv4 rules on dual-stack sockets.
            return True
        embedded = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and is_forbidden(embedded):
            return True
    if address.is_loopback:
        return not allow_loopback
    return (
        address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or address in CGNAT
        or not address.is_global
    )


def check_address(text: str, allow_loopback: bool = False) -> IPAddress:
    """Parse a resolved address and refuse it unless it is public."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError as error:
        raise BlockedAddress("the host resolved to an unrecognised address") from error
    if is_forbidden(address, allow_loopback):
        raise BlockedAddress("the host is not on the public internet")
    return address
