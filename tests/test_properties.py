"""Property-based tests over every public endpoint: hostile text never brings a 5xx, a slow answer or a stray tag."""

from __future__ import annotations

import gc
import json
import os
import time
import xmlrpc.client
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.test import TestResponse

from comments_service.baking.trigger import bake_queued
from comments_service.notify.tokens import ModerationGrant, Subscription, moderation_token, unsubscribe_token
from comments_service.store.database import database
from comments_service.store.models import Comment
from comments_service.text.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from comments_service.text.text_policy import newlines

from .conftest import built_app
from .helpers import csrf_token_from
from .linkbacks.netguard import install

# Few enough that both databases run every endpoint in about a minute; KILN_HYPOTHESIS_EXAMPLES raises it.
EXAMPLES = int(os.environ.get("KILN_HYPOTHESIS_EXAMPLES", "40"))
# Seconds of processor time an answer may cost. The test client runs the service in this thread, so
# this thread's processor time is the answer's own work, whatever else the shared machine runs; the
# wall clock only catches a hang (a bake the browser waits for, a lock) within its generous bound.
SLOWEST = 1.0
HANG = 10.0
POST_URL = "http://localhost/open-post.html"
JSON = {"Accept": "application/json"}

# Characters that have broken text handling somewhere: NUL and other controls, lone surrogates,
# non-characters, bidirectional controls, combining marks, 4-byte emoji, markup and spam-filter bait.
TRICKY = (
    "\x00\x01\x08\x0b\x1b\x7f\x85\x9f\t\n\r \ud800\udfff\ufffe\uffff\ufdd0\U0001fffe"
    "\u202e\u2066\u2069\u200f\u0301\u0308\U0001f600\U0001f469\u200d\U0001f4bb"
    "<>&\"'@.[*_`#/\\:"
)
tricky_text = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(exclude_categories=())), max_size=60)
long_run = st.builds(lambda char, size: char * size, st.sampled_from(TRICKY + "ab"), st.integers(1000, 60_000))
any_text = st.one_of(tricky_text, long_run, st.text(max_size=300))
# Text a person could send: any letter, mark, symbol, emoji or format character (bidi controls among them).
fair_text = st.text(st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn")), min_size=1, max_size=400)
complete_form = st.fixed_dictionaries(
    {"author": fair_text, "body": st.one_of(fair_text, long_run.map(lambda run: "x" + run.replace("\x00", "")))},
    optional={"website": st.sampled_from(["https://example.org/", "http://xn--bcher-kva.example/p?q=1"])},
).map(lambda fields: list(fields.items()))


def _pairs(names: tuple[str, ...]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Form fields by those names, each missing, present or repeated, with any text."""
    return st.lists(st.tuples(st.sampled_from(names), any_text), max_size=2 * len(names))


def _form_bytes(pairs: list[tuple[str, str]]) -> bytes:
    # Lone surrogates go out as the (invalid) UTF-8 bytes a hostile client would send.
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode("ascii")


def _timed(call: Callable[[], TestResponse]) -> TestResponse:
    # The collector is paused meanwhile: a full collection of the test process's heap (grown by
    # every test before this one) can take a second, and it is not the answer's own work.
    gc.disable()
    try:
        started, worked = time.perf_counter(), time.thread_time()
        response = call()
        elapsed, work = time.perf_counter() - started, time.thread_time() - worked
    finally:
        gc.enable()
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert work < SLOWEST, f"the answer took {work:.2f} s of processor time"
    assert elapsed < HANG, f"answered in {elapsed:.2f} s"
    return response


def _explore(test: Callable[..., None]) -> Callable[..., None]:
    return settings(
        max_examples=EXAMPLES,
        deadline=None,  # timing is asserted per request, where it means something
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
        database=None,
    )(test)


@pytest.fixture
def open_app(database_url: str, site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The service with generous limits and comments published at once, so each example gets a full answer."""
    install(monkeypatch)  # no linkback fetch can leave loopback, whatever an example asks for
    generous = "100000 per minute"
    yield from built_app(
        database_url,
        site_dir,
        FLOOD_SECONDS=0,
        HOLD_FOR_MODERATION=False,
        SUBMIT_RATE_LIMIT=generous,
        LINKBACK_RATE_LIMIT=generous,
        LOGIN_RATE_LIMIT=generous,
        PUBLIC_RATE_LIMIT=generous,
        MAIL_LINK_RATE_LIMIT=generous,
        FETCH_DEADLINE=0.3,
        # A browser's comment waits for the batch that bakes it: the answer's time is the bake's, not the batch's.
        BAKE_BATCH_SECONDS=0.05,
    )


def _stored(app: Flask, comment_id: int) -> Comment:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        comment = session.scalars(select(Comment).where(Comment.id == comment_id)).one()
        session.expunge(comment)
        return comment


def _check_stored(app: Flask, response: TestResponse, sent: dict[str, str]) -> list[int]:
    """Check that an accepted comment reads back exactly as sent (less surrounding blanks); return its id."""
    if response.status_code not in (201, 202) or not response.is_json:
        return []
    comment = _stored(app, int(response.get_json()["id"]))
    assert comment.author == sent["author"].strip()
    assert comment.body_source == newlines(sent["body"]).strip()
    assert comment.website == sent.get("website", "").strip()
    return [comment.id]


class _AllowListCheck(HTMLParser):
    """Collects every tag or attribute inside a comment body that the sanitiser does not allow."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.strays: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Enter a comment body, or check a tag inside one."""
        if self.depth:
            self.depth += 1
            allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset()) | ({"rel"} if tag == "a" else set())
            if tag not in ALLOWED_TAGS or any(name not in allowed for name, _ in attrs):
                self.strays.append(self.get_starttag_text() or tag)
        elif tag == "div" and ("class", "comment-body") in attrs:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        """Leave a tag."""
        if self.depth:
            self.depth -= 1


def _assert_page_within_allow_list(app: Flask, output: Path) -> None:
    with app.app_context():
        bake_queued(wait=True)
    checker = _AllowListCheck()
    checker.feed((output / "open-post.html").read_text(encoding="utf-8"))
    assert checker.strays == []


def test_the_comment_form_takes_any_fields(open_app: Flask) -> None:
    client = open_app.test_client()
    names = ("author", "email", "website", "body", "parent", "notify", "url")

    accepted = []

    @_explore
    @given(pairs=st.one_of(_pairs(names), complete_form), accept_json=st.booleans())
    def post(pairs: list[tuple[str, str]], accept_json: bool) -> None:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(JSON if accept_json else {})}
        response = _timed(lambda: client.post("/comments/open-post/", data=_form_bytes(pairs), headers=headers))
        accepted.extend(_check_stored(open_app, response, dict(pairs)))

    post()
    assert accepted, "some examples were accepted and read back"
    _assert_page_within_allow_list(open_app, Path(open_app.config["OUTPUT_PATH"]))


json_value = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), any_text, st.lists(st.integers(), max_size=3)
)


def test_the_comment_api_takes_any_json(open_app: Flask) -> None:
    client = open_app.test_client()
    names = ("author", "email", "website", "body", "parent", "notify")

    accepted = []

    @_explore
    @given(document=st.one_of(st.dictionaries(st.sampled_from(names), json_value), json_value, complete_form.map(dict)))
    # Always one plainly good comment: a random draw can, rarely, hold none that is accepted.
    @example(document={"author": "Ada", "body": "Plainly good."})
    def post(document: Any) -> None:
        # ensure_ascii writes lone surrogates as \ud800 escapes: valid JSON text, invalid Unicode.
        data = json.dumps(document, ensure_ascii=True)
        response = _timed(
            lambda: client.post("/comments/open-post/", data=data, headers={**JSON, "Content-Type": "application/json"})
        )
        if isinstance(document, dict) and all(isinstance(document.get(n), str) for n in ("author", "body")):
            accepted.extend(_check_stored(open_app, response, {"website": "", **document}))

    post()
    assert accepted, "some examples were accepted and read back"
    _assert_page_within_allow_list(open_app, Path(open_app.config["OUTPUT_PATH"]))


def test_trackback_takes_any_fields(open_app: Flask) -> None:
    client = open_app.test_client()

    @_explore
    @given(pairs=_pairs(("url", "title", "excerpt", "blog_name")), slug=st.sampled_from(["open-post", "zeker", "x"]))
    def ping(pairs: list[tuple[str, str]], slug: str) -> None:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        _timed(lambda: client.post(f"/trackback/{slug}", data=_form_bytes(pairs), headers=headers))

    ping()


def test_pingback_takes_any_call(open_app: Flask) -> None:
    client = open_app.test_client()
    arguments = st.lists(st.one_of(any_text, st.just(POST_URL), st.integers(), st.booleans()), max_size=3)

    @_explore
    @given(
        method=st.sampled_from(["pingback.ping", "system.listMethods", "x"]),
        params=arguments,
        raw=st.binary(max_size=200),
    )
    def call(method: str, params: list[Any], raw: bytes) -> None:
        try:
            body = xmlrpc.client.dumps(tuple(params), method).encode("utf-8", "surrogatepass")
        except (TypeError, OverflowError):
            body = raw
        _timed(lambda: client.post("/pingback", data=body, headers={"Content-Type": "text/xml"}))
        _timed(lambda: client.post("/pingback", data=raw, headers={"Content-Type": "text/xml"}))

    call()


def test_webmention_takes_any_fields(open_app: Flask) -> None:
    client = open_app.test_client()
    urls = st.one_of(any_text, st.just(POST_URL), st.builds(lambda t: f"http://{t}/", tricky_text))

    @_explore
    @given(pairs=st.lists(st.tuples(st.sampled_from(["source", "target"]), urls), max_size=4))
    def mention(pairs: list[tuple[str, str]]) -> None:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **JSON}
        _timed(lambda: client.post("/webmention", data=_form_bytes(pairs), headers=headers))

    mention()


def test_login_takes_any_fields(open_app: Flask) -> None:
    client = open_app.test_client()
    token = csrf_token_from(client.get("/moderate/login").get_data(as_text=True))

    @_explore
    @given(pairs=_pairs(("username", "password", "next")), with_token=st.booleans())
    def login(pairs: list[tuple[str, str]], with_token: bool) -> None:
        fields = pairs + ([("csrf_token", token)] if with_token else [])
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        response = _timed(lambda: client.post("/moderate/login", data=_form_bytes(fields), headers=headers))
        assert response.status_code != 303, "no random account logs in"

    login()


payloads = st.dictionaries(st.sampled_from(["c", "a", "u", "e", "t"]), json_value, max_size=4)


def test_mail_links_take_any_token(open_app: Flask) -> None:
    client = open_app.test_client()
    secret = open_app.config["SECRET_KEY"]

    @_explore
    @given(
        text=any_text,
        comment_id=st.integers(),
        thread_id=st.integers(),
        email=st.text(max_size=80),  # what the service signs is text it stored: never a lone surrogate
        action=st.sampled_from(["approve", "spam", "delete", "reject"]),
    )
    def open_link(text: str, comment_id: int, thread_id: int, email: str, action: str) -> None:
        forged = quote(text.encode("utf-8", "surrogatepass"), safe="")
        # Signed with the service's own secret, so the content is read, not just the signature checked.
        signed_grant = moderation_token(secret, ModerationGrant(comment_id, action, None))
        signed_subscription = unsubscribe_token(secret, Subscription(email, thread_id))
        for path in (f"/mail/moderate/{forged}", f"/mail/moderate/{signed_grant}"):
            _timed(lambda path=path: client.get(path))  # type: ignore[misc]
            _timed(lambda path=path: client.post(path))  # type: ignore[misc]
        for path in (f"/mail/unsubscribe/{forged}", f"/mail/unsubscribe/{signed_subscription}"):
            _timed(lambda path=path: client.get(path))  # type: ignore[misc]
            _timed(lambda path=path: client.post(path))  # type: ignore[misc]

    open_link()


def test_the_reader_s_own_pages_take_any_input(open_app: Flask) -> None:
    client = open_app.test_client()
    # A comment this client posted, so its cookie names one and edit and delete read their forms.
    posted = client.post("/comments/open-post/", data={"author": "Ada", "body": "Mine"}, headers=JSON).get_json()
    names = ("author", "email", "website", "body", "parent", "notify", "csrf_token")

    @_explore
    @given(
        pairs=st.one_of(_pairs(names), complete_form),
        comment_id=st.one_of(st.just(posted["id"]), st.integers(min_value=0, max_value=2**63)),
        # Browsers send no cookie over 4 KB (quoted, a 1,000-byte value can grow past it); the test client warns.
        cookie=st.one_of(st.none(), any_text.filter(lambda text: len(text.encode("utf-8", "surrogatepass")) < 1000)),
        accept_json=st.booleans(),
    )
    def visit(pairs: list[tuple[str, str]], comment_id: int, cookie: str | None, accept_json: bool) -> None:
        visitor = client if cookie is None else open_app.test_client()
        if cookie is not None:
            visitor.set_cookie("kiln_own", cookie.encode("utf-8", "surrogatepass").decode("latin-1"))
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(JSON if accept_json else {})}
        body = _form_bytes(pairs)
        _timed(lambda: visitor.post("/comments/open-post/preview", data=body, headers=headers))
        for path in ("yours", f"reply/{comment_id}", f"{comment_id}/edit"):
            _timed(lambda path=path: visitor.get(f"/comments/open-post/{path}"))  # type: ignore[misc]
        for path in (f"{comment_id}/edit", f"{comment_id}/delete"):
            _timed(lambda path=path: visitor.post(f"/comments/open-post/{path}", data=body, headers=headers))  # type: ignore[misc]

    visit()


def test_every_public_route_is_explored(open_app: Flask) -> None:
    explored = {"submission.submit", "linkbacks.trackback_ping", "linkbacks.pingback_call", "linkbacks.webmention_post"}
    explored |= {"reader.preview", "reader.yours", "reader.reply", "reader.edit", "reader.delete"}
    explored |= {"auth.login", "notify.act", "notify.confirm", "notify.unsubscribe", "notify.unsubscribe_page"}
    public = {
        rule.endpoint for rule in open_app.url_map.iter_rules() if not rule.rule.startswith(("/moderate/", "/static"))
    }
    public -= {"openapi.openapi"}  # a fixed document; tests/test_openapi.py checks it
    assert public <= explored, public - explored
