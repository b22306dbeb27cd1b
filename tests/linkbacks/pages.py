"""A real HTTP server on a random loopback address, port 8080, serving whatever pages a test sets."""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[["_Handler"], None]


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PageServer:
    """Routes by path; each route writes the whole answer, so a test can misbehave at will."""

    server: ThreadingHTTPServer
    host: str
    routes: dict[str, Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def url(self, path: str, host: str | None = None) -> str:
        """Return the absolute URL of a path on this server (optionally under another host name)."""
        return f"http://{host or self.host}:8080{path}"

    def page(
        self, path: str, body: str | bytes = "", status: int = 200, headers: list[tuple[str, str]] | None = None
    ) -> str:
        """Serve a fixed answer at path; the default content type is UTF-8 HTML. Return its URL."""
        data = body.encode() if isinstance(body, str) else body
        sent = [("Content-Type", "text/html; charset=utf-8"), *(headers or [])]
        if any(name.lower() == "content-type" for name, _ in headers or []):
            sent = list(headers or [])

        def answer(handler: _Handler) -> None:
            handler.send_response(status)
            for name, value in sent:
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)

        self.routes[path] = answer
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        """Redirect path to location. Return the URL of path."""
        return self.page(path, status=status, headers=[("Location", location)])

    def handler(self, path: str, answer: Handler) -> str:
        """Serve path with a custom function of the request handler. Return its URL."""
        self.routes[path] = answer
        return self.url(path)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        pages = self.server.pages
        pages.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
        route = pages.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        # The client may give up on us mid-answer, which is what several tests want.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)

    do_GET = do_POST = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    pages: PageServer


def start_page_server() -> PageServer:
    """Bind a random 127.x.y.z:8080 (web ports only are fetched; loopback has room for many)."""
    for _attempt in range(20):
        host = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        try:
            server = _Server((host, 8080), _Handler)
        except OSError:
            continue
        pages = PageServer(server=server, host=host)
        server.pages = pages
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return pages
    raise RuntimeError("no free loopback address on port 8080")


def stop_page_server(pages: PageServer) -> None:
    """Stop serving and close the listening socket."""
    pages.server.shutdown()
    pages.server.server_close()


def huge(size: int, declare_length: bool) -> Handler:
    """Answer with size bytes of HTML, sent as fast as the client reads."""

    def answer(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        if declare_length:
            handler.send_header("Content-Length", str(size))
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()
        chunk = b"<p>" + b"x" * (64 * 1024 - 3)
        for _ in range(size // len(chunk)):
            handler.wfile.write(chunk)

    return answer


def trickle(in_headers: bool, limit: int = 30) -> Handler:
    """Answer one byte a second (in the headers or in the body), at most limit bytes."""

    def answer(handler: _Handler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        if not in_headers:
            handler.wfile.write(f"Content-Length: {limit}\r\n\r\n".encode())
        for _ in range(limit):
            handler.wfile.write(b"x" if not in_headers else b"X")
            handler.wfile.flush()
            time.sleep(1)

    return answer
