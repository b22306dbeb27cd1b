"""The request body cap answers 413 before the form is parsed: multipart, chunked and lying Content-Length."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.serving import BaseWSGIServer, make_server

from comments_service.store.database import database
from comments_service.store.models import Comment

JSON = {"Accept": "application/json"}
CAP = 256 * 1024


def _count(app: Flask) -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return session.scalar(select(func.count()).select_from(Comment)) or 0


@pytest.fixture
def server(app: Flask) -> Iterator[BaseWSGIServer]:
    """The service on a real socket at 127.0.0.1, for requests the test client cannot shape."""
    live = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    yield live
    live.shutdown()
    thread.join(timeout=10)


def _connection(server: BaseWSGIServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)


def test_multipart_form_over_the_cap_is_413(client: FlaskClient, app: Flask) -> None:
    small = {"author": "Anna", "body": "Via multipart."}
    assert (
        client.post("/comments/open-post/", data=small, headers=JSON, content_type="multipart/form-data").status_code
        == 202
    )
    big = {"author": "Anna", "body": "x" * (CAP + 1)}
    response = client.post("/comments/open-post/", data=big, headers=JSON, content_type="multipart/form-data")
    assert response.status_code == 413
    assert _count(app) == 1


def _post_chunked(server: BaseWSGIServer, chunks: tuple[bytes, ...]) -> http.client.HTTPResponse:
    connection = _connection(server)
    headers = {**JSON, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", "/comments/open-post/", body=iter(chunks), headers=headers, encode_chunked=True)
    return connection.getresponse()


def test_chunked_body_over_the_cap_is_413(server: BaseWSGIServer, app: Flask) -> None:
    # Werkzeug alone would cut this body at the cap and parse the rest (a 400 about the body's length).
    response = _post_chunked(server, (b"author=Anna&body=", *(b"x" * 16384 for _ in range(CAP // 16384 + 2))))
    assert response.status == 413, response.read()
    assert _count(app) == 0


def test_chunked_body_under_the_cap_is_accepted(server: BaseWSGIServer, app: Flask) -> None:
    response = _post_chunked(server, (b"author=Anna&", b"body=In%20stukjes%20verstuurd."))
    assert response.status == 202, response.read()
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert list(session.scalars(select(Comment.body_source))) == ["In stukjes verstuurd."]


def test_claimed_length_over_the_cap_is_413_without_waiting_for_the_body(server: BaseWSGIServer, app: Flask) -> None:
    connection = _connection(server)
    connection.putrequest("POST", "/comments/open-post/")
    for name, value in {
        **JSON,
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(10**9),
    }.items():
        connection.putheader(name, value)
    connection.endheaders(b"author=Anna&body=kort")
    assert connection.getresponse().status == 413
    assert _count(app) == 0


def test_body_longer_than_its_content_length_is_cut_at_the_claimed_length(server: BaseWSGIServer, app: Flask) -> None:
    form = b"author=Anna&body=" + b"y" * (CAP * 2)
    connection = _connection(server)
    connection.putrequest("POST", "/comments/open-post/")
    for name, value in {**JSON, "Content-Type": "application/x-www-form-urlencoded", "Content-Length": "40"}.items():
        connection.putheader(name, value)
    connection.endheaders(form[:CAP])
    response = connection.getresponse()
    assert response.status == 202, "the server reads only what was announced"
    with database(app.config["DATABASE_URL"]).transaction() as session:
        bodies = list(session.scalars(select(Comment.body_source)))
    assert bodies == ["y" * (40 - len("author=Anna&body="))]
