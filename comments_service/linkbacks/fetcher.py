"""The one module that makes outbound HTTP: resolve once, check every address, connect to what was checked."""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from email.message import Message
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urljoin

from .reachable import BlockedAddress, RefusedURL, Target, check_address, check_url, is_forbidden, literal_address

PAGE_TYPES = ("text/html", "text/plain")
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 16 * 1024


def _user_agent() -> str:
    try:
        release = version("kiln")
    except PackageNotFoundError:
        release = "dev"
    return f"Kiln/{release} (linkback verification and sending)"


USER_AGENT = _user_agent()
# getaddrinfo has no timeout of its own; lookups run here so a slow resolver cannot outlast the deadline.
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kiln-resolve")
_tls = ssl.create_default_context()


class FetchError(Exception):
    """A request that was refused or did not complete; the message is safe to log, not to publish."""


class Refused(FetchError):
    """The URL or one of its host's addresses is not allowed."""


class Timeout(FetchError):
    """The request outlasted its total deadline."""


class TooLarge(FetchError):
    """The response is bigger than the fetcher reads."""


class WrongType(FetchError):
    """The response is not of a type the caller accepts."""


class Unreachable(FetchError):
    """The host could not be resolved or connected to, or answered with broken HTTP."""


@dataclass(frozen=True)
class Policy:
    """What the fetcher allows: limits, and (for tests only) whether loopback may be reached."""

    allow_loopback: bool = False
    deadline: float = 10.0
    max_bytes: int = 1024 * 1024
    max_redirects: int = 5
    user_agent: str = USER_AGENT


def policy_from_config(config: Mapping[str, Any]) -> Policy:
    """Build the fetch policy from the service's settings."""
    return Policy(
        # Honoured only in tests, so a stray setting cannot open loopback in production.
        allow_loopback=bool(config["LINKBACKS_ALLOW_LOOPBACK"] and config["TESTING"]),
        deadline=float(config["FETCH_DEADLINE"]),
        max_bytes=int(config["FETCH_MAX_BYTES"]),
    )


@dataclass(frozen=True)
class Response:
    """A fetched response: the final URL after redirects, status, headers and (bounded) body."""

    url: str
    status: int
    headers: Message
    body: bytes

    @property
    def media_type(self) -> str:
        """Return the content type without parameters, lower-cased."""
        return self.headers.get_content_type() if "content-type" in self.headers else ""

    def text(self) -> str:
        """Decode the body with its declared charset, UTF-8 otherwise."""
        charset = self.headers.get_content_charset() or "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


class _Deadline:
    """A total time budget shared by every step of one fetch, redirects included."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise Timeout("the request took too long")
        return left

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.end


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to addresses checked beforehand; the host name is only sent in Host."""

    def __init__(self, target: Target, addresses: list[tuple[int, str]], timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        # A plain socket to each checked address in turn: nothing here resolves a name again.
        failure: OSError | None = None
        for family, address in self._addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect((address, self.port))
            except OSError as error:
                sock.close()
                failure = error
                continue
            self.sock = sock
            return
        raise failure or OSError("no address to connect to")


class _PinnedHTTPS(_PinnedHTTP):
    """The same, with TLS verified for the host name (sent as SNI)."""

    def connect(self) -> None:
        super().connect()
        self.sock = _tls.wrap_socket(self.sock, server_hostname=self.host)


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _resolve(target: Target, policy: Policy, deadline: _Deadline) -> list[tuple[int, str]]:
    """Return every address of the host, refusing the lot if any one of them is not public."""
    literal = literal_address(target.host)
    if literal is not None:
        address = str(check_address(str(literal), policy.allow_loopback))
        return [(_family(address), address)]
    lookup = _resolver.submit(socket.getaddrinfo, target.host, target.port, 0, socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=deadline.remaining())
    except FutureTimeout as error:
        raise Timeout("resolving the host took too long") from error
    except (OSError, UnicodeError) as error:
        raise Unreachable(f"cannot resolve the host: {error}") from error
    addresses = [(int(info[0]), str(info[4][0])) for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)]
    if not addresses:
        raise Unreachable("the host has no address")
    for _kind, address in addresses:
        check_address(address, policy.allow_loopback)
    return list(dict.fromkeys(addresses))


def _cut_off(connection: http.client.HTTPConnection) -> None:
    # Wakes a read blocked on a trickling server: shutdown ends a recv in another thread, close does not.
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed by the reader
            sock.shutdown(socket.SHUT_RDWR)


def _exchange(
    method: str,
    target: Target,
    body: bytes | None,
    headers: dict[str, str],
    policy: Policy,
    deadline: _Deadline,
    types: tuple[str, ...] | None,
) -> tuple[int, Message, bytes]:
    """Make one request to a checked target and read a bounded answer before the deadline."""
    addresses = _resolve(target, policy, deadline)
    kind = _PinnedHTTPS if target.tls else _PinnedHTTP
    connection = kind(target, addresses, timeout=deadline.remaining())
    watchdog = threading.Timer(deadline.remaining(), _cut_off, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(method, target.path, body=body, headers=headers)
        response = connection.getresponse()
        if response.status in REDIRECTS and method == "GET":
            return response.status, response.headers, b""
        _check_type(response, types)
        declared = response.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > policy.max_bytes:
            raise TooLarge("the response is larger than the limit")
        return response.status, response.headers, _read(response, policy, deadline)
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        if deadline.expired:
            raise Timeout("the request took too long") from error
        raise Unreachable(f"the request failed: {error}") from error
    finally:
        watchdog.cancel()
        connection.close()


def _check_type(response: http.client.HTTPResponse, types: tuple[str, ...] | None) -> None:
    media = response.headers.get_content_type() if response.getheader("Content-Type") else ""
    if types is not None and 200 <= response.status < 300 and media not in types:
        raise WrongType(f"the response is {media or 'untyped'}, not one of {', '.join(types)}")


def _read(response: http.client.HTTPResponse, policy: Policy, deadline: _Deadline) -> bytes:
    body = bytearray()
    while True:
        deadline.remaining()
        chunk = response.read1(_CHUNK)
        if not chunk:
            if deadline.expired:
                raise Timeout("the request took too long")
            return bytes(body)
        body += chunk
        if len(body) > policy.max_bytes:
            raise TooLarge("the response is larger than the limit")


def _request(
    method: str,
    url: str,
    policy: Policy,
    body: bytes | None = None,
    extra_headers: Mapping[str, str] | None = None,
    types: tuple[str, ...] | None = PAGE_TYPES,
) -> Response:
    deadline = _Deadline(policy.deadline)
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "identity", **(extra_headers or {})}
    for _hop in range(policy.max_redirects + 1):
        try:
            target = check_url(url)
        except RefusedURL as error:
            raise Refused(str(error)) from error
        try:
            status, response_headers, content = _exchange(method, target, body, headers, policy, deadline, types)
        except BlockedAddress as error:
            raise Refused(str(error)) from error
        location = response_headers.get("Location")
        if method == "GET" and status in REDIRECTS and location:
            url = urljoin(url, location.strip())
            continue
        return Response(url=url, status=status, headers=response_headers, body=content)
    raise Unreachable(f"more than {policy.max_redirects} redirects")


def get(url: str, policy: Policy, types: tuple[str, ...] | None = PAGE_TYPES) -> Response:
    """Fetch a page, following at most policy.max_redirects redirects, each one checked again."""
    return _request("GET", url, policy, types=types)


def post(url: str, body: bytes, content_type: str, policy: Policy) -> Response:
    """Send a POST (a ping) to an endpoint; redirects are not followed."""
    return _request("POST", url, policy, body=body, extra_headers={"Content-Type": content_type}, types=None)


def url_is_fetchable(url: str, policy: Policy) -> bool:
    """Tell, without touching the network, whether url passes the URL and literal-address checks."""
    try:
        target = check_url(url)
    except RefusedURL:
        return False
    literal = literal_address(target.host)
    return literal is None or not is_forbidden(literal, policy.allow_loopback)
