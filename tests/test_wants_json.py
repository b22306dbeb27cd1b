"""Which clients get JSON answers: the Accept header decides, JSON only when ranked above HTML."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.wrappers import Request

from comments_service.web.errors import prefers_json, wants_json

# Deciding needs a request, not the service.
BARE = Flask(__name__)

ACCEPT_CASES = [
    (None, False),
    ("", False),
    ("application/json", True),
    ("APPLICATION/JSON", True),
    ("application/*", True),
    ("text/html", False),
    ("*/*", False),
    ("text/*", False),
    ("garbage", False),
    ("application/json, text/html", False),
    ("text/html, application/json", False),
    ("application/json, text/html;q=0.9", True),
    ("application/json;q=0.9, text/html", False),
    ("application/json;q=1, text/html;q=1", False),
    ("application/json;q=0.5, */*;q=0.1", True),
    ("application/json, */*", False),
    ("text/html;q=0, application/json;q=0.1", True),
    ("application/json;q=0", False),
    ("application/json;q=abc", False),
    ("application/json; charset=utf-8", False),
    ("application/json, text/*;q=0.9", True),
    ("application/json;q=0.8, text/*;q=0.9", False),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
]


@pytest.mark.parametrize(("accept", "expected"), ACCEPT_CASES)
def test_the_decision_follows_the_accept_header(accept: str | None, expected: bool) -> None:
    with BARE.test_request_context(headers={} if accept is None else {"Accept": accept}):
        assert wants_json() is expected
    # The same decision as werkzeug's parsed request.accept_mimetypes makes.
    mimetypes = Request({} if accept is None else {"HTTP_ACCEPT": accept}).accept_mimetypes
    best = mimetypes.best_match(["text/html", "application/json"])
    assert expected is (best == "application/json" and mimetypes[best] > mimetypes["text/html"])


def test_a_remembered_decision_is_not_another_headers() -> None:
    for accept, expected in ACCEPT_CASES * 2:
        with BARE.test_request_context(headers={} if accept is None else {"Accept": accept}):
            assert wants_json() is expected, accept
    assert prefers_json.cache_info().currsize <= prefers_json.cache_info().maxsize


@pytest.mark.parametrize(
    ("accept", "json"), [("application/json", True), ("text/html,*/*;q=0.8", False), (None, False)]
)
def test_an_error_answers_in_the_shape_asked_for(client: FlaskClient, accept: str | None, json: bool) -> None:
    response = client.get("/comments/no-such/", headers={} if accept is None else {"Accept": accept})
    assert response.status_code == 405
    assert response.mimetype == ("application/json" if json else "text/html")
