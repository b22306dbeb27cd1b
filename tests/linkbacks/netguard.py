"""Intercept name resolution and connections, so no packet can leave for a non-loopback address."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

import pytest


class GuardRefused(ConnectionRefusedError):
    """A connection to a non-loopback address, stopped before any packet was sent."""


@dataclass
class NetGuard:
    """Records every lookup and connection attempt; fake DNS names map to chosen addresses."""

    names: dict[str, list[str]] = field(default_factory=lambda: {"localhost": ["127.0.0.1", "::1"]})
    lookups: list[str] = field(default_factory=list)  # names asked for, not literal addresses
    connects: list[tuple[str, int]] = field(default_factory=list)
    refused: list[tuple[str, int]] = field(default_factory=list)

    def resolve(self, name: str, *addresses: str) -> None:
        """Make name resolve to addresses (in order)."""
        self.names[name] = list(addresses)

    def connected_to(self, address: str) -> bool:
        """Tell whether any connection to address was attempted."""
        return any(ipaddress.ip_address(a) == ipaddress.ip_address(address) for a, _ in self.connects)

    def non_loopback_attempts(self) -> list[tuple[str, int]]:
        """Every attempted connection to an address outside 127.0.0.0/8 and ::1."""
        return [(a, p) for a, p in self.connects if not ipaddress.ip_address(a.split("%")[0]).is_loopback]


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    return True


def install(monkeypatch: pytest.MonkeyPatch) -> NetGuard:
    """Patch socket.getaddrinfo and socket.socket.connect/connect_ex for the rest of the test."""
    guard = NetGuard()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in guard.names:
            guard.lookups.append(name)
            kind = type or socket.SOCK_STREAM
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, kind, 6, "", (a, int(port or 0)))
                for a in guard.names[name]
            ]
        # Numeric forms only (0x7f.1 included): a real DNS query would send a packet out.
        if not _is_ip(name):
            guard.lookups.append(name)
        return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    def check(address: Any) -> None:
        if isinstance(address, tuple) and len(address) >= 2:
            host, port = str(address[0]), int(address[1])
            guard.connects.append((host, port))
            if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
                guard.refused.append((host, port))
                raise GuardRefused(f"netguard: refused a connection to {host}:{port}")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return guard
