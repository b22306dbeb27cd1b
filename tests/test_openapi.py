"""The OpenAPI description: valid OpenAPI 3.1, complete for the public routes, and true of the live service."""

from __future__ import annotations

import json
import re
import threading
import xmlrpc.client
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from werkzeug.serving import make_server

from comments_service import create_app
from comments_service.extensions import limiter
from comments_service.linkbacks.worker import stop_verifier
from comments_service.moderation.auth import login_required
from comments_service.notify.tokens import ModerationGrant, Subscription, moderation_token, unsubscribe_token
from comments_service.store.comments import get_comment
from comments_service.store.database import database

from .conftest import built_app
from .linkbacks.netguard import NetGuard, install

DESCRIPTION = json.loads(files("comments_service.web").joinpath("openapi.json").read_text(encoding="utf-8"))
SECRET = "test-secret"
# The site's address as the description's examples give it, so its example linkbacks name a real post.
SITE_URL = "https://blog.example.org"
# Limits generous enough that the run is not all 429s; the 429 answers stay described (and are tested below).
GENEROUS = "100000 per minute"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    unsupported_method,
]
# Routes anyone may reach that are not an interface: Flask's static route (the service has no static
# folder) and the moderation screens' stylesheet. Everything behind login_required is left out as well.
NOT_DESCRIBED = {"static", "moderation.stylesheet"}
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}
# A server error answers as in production (through the app's error handler), not as a test's traceback.
SERVICE = {"FLOOD_SECONDS": 0, "SITE_URL": SITE_URL, "FETCH_DEADLINE": 2.0, "PROPAGATE_EXCEPTIONS": False}


def _behind_login(view: Callable[..., Any]) -> bool:
    guard_code = login_required(lambda: None).__code__
    current: Any = view
    while current is not None:
        if getattr(current, "__code__", None) is guard_code:
            return True
        current = getattr(current, "__wrapped__", None)
    return False


def test_description_is_valid_openapi_3_1() -> None:
    assert DESCRIPTION["openapi"].startswith("3.1.")
    assert DESCRIPTION["servers"] == [{"url": "/"}]
    schemathesis.openapi.from_dict(DESCRIPTION).validate()


def test_every_public_route_is_described_and_nothing_else(sqlite_url: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": sqlite_url})
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_DESCRIBED or _behind_login(app.view_functions[rule.endpoint]):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes |= {(path, method.lower()) for method in rule.methods or () if method not in IMPLICIT_METHODS}
    described = {
        (path, method) for path, item in DESCRIPTION["paths"].items() for method in item if method != "parameters"
    }
    assert described == routes
    assert _behind_login(app.view_functions["moderation.queue"])


def test_description_is_served_as_shipped_and_cacheable(sqlite_url: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": sqlite_url})
    client = app.test_client()
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == DESCRIPTION
    assert response.cache_control.public and response.cache_control.max_age
    again = client.get("/openapi.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""


@dataclass(frozen=True)
class Live:
    """The service on a loopback port, and values that reach past its 404s and 403s."""

    url: str
    slugs: list[str]
    tokens: list[str]
    postgres: bool


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> NetGuard:
    """Resolution and connections intercepted: linkback fetches can reach loopback addresses only."""
    return install(monkeypatch)


@pytest.fixture
def live_app(database_url: str, site_dir: Path, guard: NetGuard) -> Iterator[Flask]:
    """The service over a built site with an open post, a closed one and the demo's posts."""
    (site_dir / "content" / "closed-post.md").write_text(
        "Title: Closed post\nDate: 2009-07-02 09:00\nSlug: closed-post\nComments: closed\n\nNo more comments.\n",
        encoding="utf-8",
    )
    names = ("SUBMIT", "LINKBACK", "LINKBACK_SOURCE", "PUBLIC", "LOGIN", "MAIL_LINK")
    limits = {f"{name}_RATE_LIMIT": GENEROUS for name in names}
    for app in built_app(database_url, site_dir, **SERVICE, **limits):
        yield app
        # No background verification may outlive the network guard.
        assert stop_verifier(app, 10)
    assert guard.non_loopback_attempts() == []


@pytest.fixture
def live(live_app: Flask) -> Iterator[Live]:
    """The service on 127.0.0.1 in a thread, with a pending comment that signed links can name."""
    comment_id, thread_id = _pending_comment(live_app)
    tokens = [
        unsubscribe_token(SECRET, Subscription("ada@example.org", thread_id)),
        moderation_token(SECRET, ModerationGrant(comment_id, "approve", None)),
        moderation_token(SECRET, ModerationGrant(comment_id, "spam", None)),
    ]
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    postgres = live_app.config["DATABASE_URL"].startswith("postgresql")
    yield Live(f"http://127.0.0.1:{server.server_port}", ["open-post", "closed-post", "zeker"], tokens, postgres)
    server.shutdown()
    server.server_close()


def _pending_comment(app: Flask) -> tuple[int, int]:
    response = app.test_client().post(
        "/comments/open-post/",
        json={"author": "Ada", "email": "ada@example.org", "body": "A first comment.", "notify": True},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    comment_id = int(response.get_json()["id"])
    return comment_id, _thread_id(app, comment_id)


def _thread_id(app: Flask, comment_id: int) -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        found = get_comment(session, comment_id)
        assert found is not None
        return int(found.thread_id)


ACCEPTS = ["*/*", "text/html", "application/json"]


@pytest.fixture
def api(live: Live, request: pytest.FixtureRequest) -> Any:
    """The description as the live service serves it, generating real slugs and tokens half the time."""
    # schemathesis 4.32's from_fixture renames the test node through `_nodeid`, which pytest 9.2 no
    # longer has; the plain attribute it reads and writes back keeps it working (only the name is lost).
    request.node._nodeid = request.node.nodeid
    loaded = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    known = {"slug": live.slugs, "token": live.tokens}

    @loaded.hook("flatmap_case")
    def real_values_and_accept(context: Any, case: schemathesis.Case) -> st.SearchStrategy[schemathesis.Case]:
        # Generated slugs and tokens almost never name a post or a signed link, and each answer
        # comes in the form the Accept header asks for: both are drawn, so a failure replays.
        names = [name for name in known if name in (case.path_parameters or {})]
        swaps = st.fixed_dictionaries({name: st.none() | st.sampled_from(known[name]) for name in names})
        return st.tuples(swaps, st.sampled_from(ACCEPTS)).map(lambda drawn: _with(case, *drawn))

    return loaded


def _with(case: schemathesis.Case, swaps: dict[str, str | None], accept: str) -> schemathesis.Case:
    for name, value in swaps.items():
        if value is not None:
            case.path_parameters[name] = value
    headers = case.headers if case.headers is not None else CaseInsensitiveDict()
    headers["Accept"] = accept
    case.headers = headers
    return case


schema = schemathesis.pytest.from_fixture("api")


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@schema.parametrize()
def test_live_service_answers_as_described(case: schemathesis.Case, live: Live) -> None:
    case.call_and_validate(base_url=live.url, checks=CHECKS, timeout=10)


OVERSIZE = {"body": "x" * 5000}
UNSUBSCRIBE = "/mail/unsubscribe/{token}"


def test_rate_limited_and_oversized_answers_are_described(sqlite_url: str, site_dir: Path, guard: NetGuard) -> None:
    # Limits of two a minute, and no CSRF check, so that the third request to each operation is refused
    # by its limit (a CSRF refusal would come first); a POST's first is too large. Every answer is checked.
    limits = {f"{name}_RATE_LIMIT": "2 per minute" for name in ("SUBMIT", "LINKBACK", "PUBLIC", "LOGIN", "MAIL_LINK")}
    for app in built_app(sqlite_url, site_dir, **SERVICE, **limits, WTF_CSRF_ENABLED=False, MAX_CONTENT_LENGTH=4096):
        comment_id, thread_id = _pending_comment(app)
        parameters = {
            "/comments/{slug}/": {"slug": "open-post"},
            "/trackback/{slug}": {"slug": "open-post"},
            "/mail/unsubscribe/{token}": {
                "token": unsubscribe_token(SECRET, Subscription("ada@example.org", thread_id))
            },
            "/mail/moderate/{token}": {"token": moderation_token(SECRET, ModerationGrant(comment_id, "approve", None))},
            "/comments/{slug}/yours": {"slug": "open-post"},
            "/comments/{slug}/preview": {"slug": "open-post"},
            "/comments/{slug}/reply/{comment_id}": {"slug": "open-post", "comment_id": comment_id},
            "/comments/{slug}/{comment_id}/edit": {"slug": "open-post", "comment_id": comment_id},
            "/comments/{slug}/{comment_id}/delete": {"slug": "open-post", "comment_id": comment_id},
        }
        forms = {
            "/comments/{slug}/": {"author": "Bob", "body": "Hello."},
            "/comments/{slug}/preview": {"author": "Bob", "body": "Hello."},
            "/trackback/{slug}": {"url": "https://elsewhere.example.com/"},
            "/webmention": {"source": "https://elsewhere.example.com/", "target": f"{SITE_URL}/zeker.html"},
            "/moderate/login": {"username": "nobody", "password": "wrong"},
        }
        api = schemathesis.openapi.from_dict(DESCRIPTION)
        client = app.test_client()
        for path, item in DESCRIPTION["paths"].items():
            for method in sorted(item.keys() - {"parameters"}):
                limiter.reset()  # the three linkback protocols share one budget
                statuses = []
                for number, accept in enumerate(("application/json", "text/html", "application/json")):
                    case = api[path][method.upper()].Case(path_parameters=parameters.get(path, {}))
                    url = path.format(**parameters.get(path, {}))
                    form = (OVERSIZE if number == 0 else forms.get(path)) if method == "post" else None
                    response = client.open(url, method=method.upper(), data=form, headers={"Accept": accept})
                    statuses.append(response.status_code)
                    case.validate_response(response, checks=CHECKS[:-1])
                assert statuses[-1] == 429, (method, path, statuses)
                # Logout and the moderation link read no form themselves (the CSRF check, off here, does);
                # the one-click unsubscribe reads none at all; a reader's edit and delete refuse a browser
                # that did not post the comment before reading its form.
                own = {"/comments/{slug}/{comment_id}/edit", "/comments/{slug}/{comment_id}/delete"}
                too_large = method == "post" and path not in {
                    "/moderate/logout",
                    "/mail/moderate/{token}",
                    UNSUBSCRIBE,
                    *own,
                }
                assert (statuses[0] == 413) == too_large, (method, path, statuses)


# Server errors schemathesis found on PostgreSQL (SQLite answered 4xx): each stays a 4xx on both databases.
FOUND_SERVER_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    # A parent id beyond PostgreSQL's integer overflowed the column ("integer out of range").
    "parent over 32 bits (form)": ("/comments/zeker/", {"data": {"author": "A", "body": "B", "parent": "2147483648"}}),
    "parent over 32 bits (JSON)": ("/comments/zeker/", {"json": {"author": "A", "body": "B", "parent": 2147483648}}),
    # A NUL in the path's slug reached PostgreSQL ("text fields cannot contain NUL").
    "NUL in a comment slug": ("/comments/a%00b/", {"data": {"author": "A", "body": "B"}}),
    "NUL in a trackback slug": ("/trackback/a%00b", {"data": {"url": "https://elsewhere.example.com/"}}),
    # A linkback's target URL whose path unquotes to a slug holding a NUL.
    "NUL in a webmention target": (
        "/webmention",
        {"data": {"source": "https://elsewhere.example.com/", "target": f"{SITE_URL}/%00.html"}},
    ),
    "NUL in a pingback target": (
        "/pingback",
        {
            "data": xmlrpc.client.dumps(("https://elsewhere.example.com/", f"{SITE_URL}/%00.html"), "pingback.ping"),
            "content_type": "text/xml",
        },
    ),
}


@pytest.mark.parametrize("name", sorted(FOUND_SERVER_ERRORS))
def test_former_server_errors_are_refusals(name: str, live_app: Flask) -> None:
    path, body = FOUND_SERVER_ERRORS[name]
    response = live_app.test_client().post(path, headers={"Accept": "application/json"}, **body)
    # Pingback answers a refusal as XML-RPC does, with 200 and a fault.
    refused = response.status_code >= 400 or b"<fault>" in response.get_data()
    assert refused and response.status_code < 500, response.get_data(as_text=True)
