"""One text policy at every entrance: forbidden characters answer 400 naming the field, alike on both databases."""

from __future__ import annotations

import json
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from comments_service.store.database import database
from comments_service.store.models import Comment, PendingWebmention, Role, State, Thread, User

from .conftest import _postgres_schema_url, built_app
from .helpers import add_account, csrf_token_from, login, moderation_token
from .porting.conftest import invoke
from .porting.test_json_format import _comment, _export_with
from .porting.test_wxr_details import COMMENT, WXR

FORM = {"author": "Anna de Vries", "email": "anna@example.nl", "website": "https://anna.example", "body": "Mooi stuk!"}
JSON = {"Accept": "application/json"}
# Where each field takes the bad character: inside the value, so trimming cannot hide it.
SENT = {**FORM, "parent": "", "notify": "1"}
FORBIDDEN = {
    "NUL": "\x00",
    "C0 escape": "\x1b",
    "DEL": "\x7f",
    "C1 next line": "\x85",
    "lone surrogate": "\ud800",
    "non-character U+FDD0": "\ufdd0",
    "non-character U+FFFE": "\ufffe",
    "non-character U+10FFFF": "\U0010ffff",
}


def _count(app: Flask, model: type = Comment) -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _with(field: str, char: str) -> dict[str, str]:
    value = (SENT[field] or "1").ljust(2, "1")
    return {**SENT, field: value[:1] + char + value[1:]}


def _urlencoded(fields: dict[str, str]) -> bytes:
    # surrogatepass: a lone surrogate goes out as the bytes a sloppy encoder would send (%ED%A0%80).
    return "&".join(f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in fields.items()).encode()


def _post_form(client: FlaskClient, body: bytes, query: str = "") -> tuple[int, dict[str, object]]:
    response = client.post(
        f"/comments/open-post/{query}", data=body, content_type="application/x-www-form-urlencoded", headers=JSON
    )
    return response.status_code, response.get_json()


def _approved(app: Flask, body: str = "Eerste reactie") -> int:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = session.scalar(select(Thread).where(Thread.slug == "open-post"))
        comment = Comment(
            thread=thread, author="Eerder", body_source=body, body_html=f"<p>{body}</p>", state=State.APPROVED
        )
        session.add(comment)
        session.flush()
        return comment.id


@pytest.mark.parametrize("field", list(SENT))
def test_a_forbidden_character_in_a_form_field_is_refused_naming_the_field(
    client: FlaskClient, app: Flask, field: str
) -> None:
    for name, char in FORBIDDEN.items():
        status, answer = _post_form(client, _urlencoded(_with(field, char)))
        assert status == 400, (name, answer)
        assert field in answer["errors"], (name, answer)  # type: ignore[operator]
    assert _count(app) == 0, "nothing is stored"


@pytest.mark.parametrize("field", list(SENT))
def test_a_forbidden_character_in_a_json_field_is_refused_naming_the_field(
    client: FlaskClient, app: Flask, field: str
) -> None:
    for name, char in FORBIDDEN.items():
        response = client.post(
            "/comments/open-post/", data=json.dumps(_with(field, char)), content_type="application/json", headers=JSON
        )
        assert response.status_code == 400, (name, response.get_json())
        # Named for what it holds: a JSON body that was not read at all would say "is required".
        assert response.get_json()["errors"][field] != "is required", (name, response.get_json())
    assert _count(app) == 0, "nothing is stored"


@pytest.mark.parametrize("field", ["author", "email", "website", "parent", "notify"])
def test_one_line_fields_refuse_tabs_and_line_breaks_inside(client: FlaskClient, app: Flask, field: str) -> None:
    for char in "\t\n\r":
        status, answer = _post_form(client, _urlencoded(_with(field, char)))
        assert status == 400 and field in answer["errors"], answer  # type: ignore[operator]
    assert _count(app) == 0


def test_a_browser_sees_the_form_again_with_the_field_named(client: FlaskClient, app: Flask) -> None:
    response = client.post("/comments/open-post/", data=_with("author", "\x1b"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<a href="#author-new">Name</a> contains a control character' in page and 'name="body"' in page
    assert _count(app) == 0


@pytest.mark.parametrize("raw", ["%FF", "%C0%AF", "%ED%A0%80"])
def test_invalid_utf8_in_a_form_body_is_refused(client: FlaskClient, app: Flask, raw: str) -> None:
    body = _urlencoded(FORM).replace(b"Mooi", b"Mo" + raw.encode() + b"oi")
    status, answer = _post_form(client, body)
    assert status == 400 and answer["errors"] == {"body": "is not valid UTF-8"}, answer
    assert "UTF-8" in str(answer["message"])
    assert _count(app) == 0


@pytest.mark.parametrize("raw", ["%FF", "%C0%AF", "%ED%A0%80"])
def test_invalid_utf8_in_a_query_string_is_refused(client: FlaskClient, app: Flask, raw: str) -> None:
    status, answer = _post_form(client, _urlencoded(FORM), query=f"?ref={raw}")
    assert status == 400 and answer["errors"] == {"ref": "is not valid UTF-8"}, answer
    assert _count(app) == 0


def test_invalid_utf8_in_multipart_and_json_bodies_is_refused(client: FlaskClient, app: Flask) -> None:
    boundary = "kiln-boundary"
    parts = [(name, value.encode()) for name, value in FORM.items() if name != "author"] + [("author", b"An\xffna")]
    multipart = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
            for name, value in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/comments/open-post/", data=multipart, content_type=f"multipart/form-data; boundary={boundary}", headers=JSON
    )
    assert response.status_code == 400 and response.get_json()["errors"] == {"author": "is not valid UTF-8"}
    as_json = json.dumps(FORM).replace("Mooi", "Mo\udcffoi").encode("utf-8", "surrogateescape")
    response = client.post("/comments/open-post/", data=as_json, content_type="application/json", headers=JSON)
    assert response.status_code == 400 and response.get_json()["errors"] == {"body": "is not valid UTF-8"}
    assert _count(app) == 0


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"author": 5}, "author", "must be a string"),
        ({"body": ["Mooi"]}, "body", "must be a string"),
        ({"notify": "yes please", "email": {"a": 1}}, "email", "must be a string"),
        ({"notify": 1}, "notify", "must be true or false"),
        ({"parent": True}, "parent", "must be a comment id"),
        ({"parent": 1.5}, "parent", "must be a comment id"),
    ],
)
def test_json_fields_of_the_wrong_type_are_named(
    client: FlaskClient, app: Flask, sent: dict[str, object], field: str, message: str
) -> None:
    response = client.post("/comments/open-post/", json={**FORM, **sent}, headers=JSON)
    assert response.status_code == 400 and response.get_json()["errors"][field] == message
    assert _count(app) == 0


def test_a_json_body_that_is_not_an_object_is_refused(client: FlaskClient, app: Flask) -> None:
    # Nested past Python's recursion limit: the parser gave up with a RecursionError, a 500.
    too_deep = "[" * 50_000
    for body in ("[1, 2]", '"text"', "null", "{not json", too_deep, too_deep + '"\\u0000"'):
        response = client.post("/comments/open-post/", data=body, content_type="application/json", headers=JSON)
        assert response.status_code == 400 and "JSON object" in response.get_json()["message"], body[:20]
    assert _count(app) == 0


def test_a_json_comment_is_accepted_like_a_form(client: FlaskClient, app: Flask) -> None:
    parent = _approved(app)
    sent = {**FORM, "parent": parent, "notify": True, "website": None}
    response = client.post("/comments/open-post/", json=sent, headers=JSON)
    assert response.status_code == 202, response.get_json()
    with database(app.config["DATABASE_URL"]).transaction() as session:
        stored = session.get(Comment, response.get_json()["id"])
        assert stored is not None
        assert (stored.parent_id, stored.notify_replies, stored.website, stored.body_source) == (
            parent,
            True,
            "",
            "Mooi stuk!",
        )


# Text people do send: every one must be stored exactly as sent (less surrounding whitespace) on both databases.
ACCEPTED = [
    {"author": "Zoe\u0308 Cafe\u0301", "body": "tab\there\nand a new line\n\n  indented"},
    {
        "author": "\u0645\u0631\u062d\u0628\u0627 \u0639\u0627\u0644\u0645",
        "body": "RTL \u05e9\u05dc\u05d5\u05dd \u200f!",
    },
    {"author": "Emoji \U0001f600", "body": "4 bytes \U0001f389 and a family \U0001f469\u200d\U0001f4bb joined"},
    {"author": "Ann", "body": "windows\r\nline ends\rand a lone CR", "website": "https://\u00fc.example/p\u00e4th"},
]


@contextmanager
def _service(url: str, site_dir: Path) -> Iterator[Flask]:
    yield from built_app(url, site_dir, FLOOD_SECONDS=0)


def _store_and_read(url: str, site_dir: Path) -> list[tuple[bytes, ...]]:
    with _service(url, site_dir) as app:
        client = app.test_client()
        for index, fields in enumerate(ACCEPTED):
            sent = {**FORM, **fields}
            if index % 2:
                response = client.post("/comments/open-post/", json=sent, headers=JSON)
            else:
                response = client.post("/comments/open-post/", data=sent, headers=JSON)
            assert response.status_code in (201, 202), response.get_json()
        with database(url).transaction() as session:
            rows = session.execute(
                select(Comment.author, Comment.email, Comment.website, Comment.body_source).order_by(Comment.id)
            )
            return [tuple(value.encode("utf-8") for value in row) for row in rows]


def test_accepted_tricky_text_is_stored_byte_for_byte_alike_on_both_databases(sqlite_url: str, site_dir: Path) -> None:
    on_sqlite = _store_and_read(sqlite_url, site_dir)
    on_postgres: list[tuple[bytes, ...]] = []
    for url in _postgres_schema_url():
        on_postgres = _store_and_read(url, site_dir)
    expected = [
        tuple(
            value.encode("utf-8")
            for value in (
                sent["author"],
                sent["email"],
                sent["website"],
                sent["body"].replace("\r\n", "\n").replace("\r", "\n").strip(),
            )
        )
        for sent in ({**FORM, **fields} for fields in ACCEPTED)
    ]
    assert on_sqlite == on_postgres == expected


@pytest.mark.parametrize("action", ["edit", "reply"])
def test_moderator_edits_and_author_replies_refuse_forbidden_characters(
    mod_client: FlaskClient, app: Flask, action: str
) -> None:
    comment_id = _approved(app)
    token = moderation_token(mod_client)
    for char in ("\x00", "\x1b", "\x85", "\ufdd0"):
        response = mod_client.post(
            f"/moderate/comments/{comment_id}/{action}",
            data={"body": f"Nieuw{char}e tekst", "csrf_token": token},
            headers=JSON,
        )
        assert response.status_code == 400 and "body" in response.get_json()["errors"], repr(char)
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert [c.body_source for c in session.scalars(select(Comment))] == ["Eerste reactie"]


def test_a_trackback_refuses_forbidden_characters_naming_the_field(client: FlaskClient, app: Flask) -> None:
    ping = {"url": "https://elsewhere.example/post", "title": "Title", "excerpt": "An excerpt", "blog_name": "Blog"}
    for field in ("url", "title", "excerpt", "blog_name"):
        refused = client.post("/trackback/open-post", data={**ping, field: ping[field][:3] + "\x00" + ping[field][3:]})
        assert refused.status_code == 400, field
        answer = client.post("/trackback/open-post", data={**ping, field: ping[field][:3] + "\x1b" + ping[field][3:]})
        assert answer.status_code == 400
        assert f"{field} contains a control character" in answer.get_data(as_text=True)
    newline = client.post("/trackback/open-post", data={**ping, "blog_name": "Two\nlines"})
    assert newline.status_code == 400 and "blog_name must be one line" in newline.get_data(as_text=True)
    assert _count(app) == 0


def test_a_pingback_refuses_forbidden_characters_in_source_and_target(client: FlaskClient, app: Flask) -> None:
    good = ("https://elsewhere.example/post", "http://localhost/open-post.html")
    nul = xmlrpc.client.dumps(good, "pingback.ping").replace("elsewhere", "else&#0;where")
    answer = client.post("/pingback", data=nul, content_type="text/xml")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        xmlrpc.client.loads(answer.get_data())
    assert fault.value.faultCode == -32700, "XML cannot carry a NUL at all"
    for index, name in enumerate(("source", "target")):
        for char in ("\x85", "\ufdd0", "\t"):
            params = list(good)
            params[index] = params[index][:12] + char + params[index][12:]
            answer = client.post("/pingback", data=xmlrpc.client.dumps(tuple(params), "pingback.ping"))
            with pytest.raises(xmlrpc.client.Fault) as fault:
                xmlrpc.client.loads(answer.get_data())
            assert fault.value.faultCode == -32602 and f"the {name} " in fault.value.faultString, repr(char)
    assert _count(app) == 0


def test_a_webmention_refuses_forbidden_characters_naming_the_field(client: FlaskClient, app: Flask) -> None:
    sent = {"source": "https://elsewhere.example/post", "target": "http://localhost/open-post.html"}
    for field in sent:
        for char in ("\x00", "\x1b", "\ufffe"):
            bad = {**sent, field: sent[field][:12] + char + sent[field][12:]}
            response = client.post("/webmention", data=bad, headers=JSON)
            assert response.status_code == 400 and field in response.get_json()["errors"], (field, repr(char))
    assert _count(app, PendingWebmention) == 0


def test_the_cli_refuses_an_account_with_forbidden_characters(runner: FlaskCliRunner, app: Flask) -> None:
    for args in (["user", "add", "b\x00b"], ["user", "add", "bob", "--display-name", "B\x00b"]):
        result = runner.invoke(args=[*args, "--password-stdin"], input="long enough password\n")
        assert result.exit_code == 1 and "Error:" in result.output, result.output
    result = runner.invoke(
        args=["user", "add", "bob", "--display-name", "Bob\nSmith", "--password-stdin"], input="long enough\n"
    )
    assert result.exit_code == 1 and "display name must be one line" in result.output
    assert _count(app, User) == 0


def test_the_admin_screen_refuses_an_account_with_forbidden_characters(client: FlaskClient, app: Flask) -> None:
    add_account(app, "boss", Role.ADMIN)
    login(client, "boss")
    token = moderation_token(client)
    new = {
        "username": "anna",
        "display_name": "Anna",
        "role": "moderator",
        "password": "long enough",
        "csrf_token": token,
    }
    for field in ("username", "display_name"):
        for char in ("\x00", "\x1b", "\n"):
            bad = {**new, field: f"an{char}na"}
            response = client.post("/moderate/admin/accounts/new", data=bad, headers=JSON)
            assert response.status_code == 400 and field in response.get_json()["errors"], (field, repr(char))
    assert _count(app, User) == 1


def test_a_login_with_control_characters_is_refused_not_an_error(
    client: FlaskClient, moderator: tuple[str, str]
) -> None:
    token = csrf_token_from(client.get("/moderate/login").get_data(as_text=True))
    for username, password, status in [
        (moderator[0] + "\x00", moderator[1], 400),
        (moderator[0], moderator[1] + "\x00", 400),
        (moderator[0] + "\x1b", moderator[1], 401),
    ]:
        sent = {"username": username, "password": password, "csrf_token": token}
        assert client.post("/moderate/login", data=sent).status_code == status, repr(username + password)


def test_a_nul_in_a_query_used_as_data_is_refused(mod_client: FlaskClient) -> None:
    assert mod_client.get("/moderate/?q=a%00b").status_code == 400
    assert mod_client.get("/moderate/?q=a%1Bb").status_code == 200


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"body_source": "hi\x00"}, "comments[0].body_source: contains a control character"),
        ({"author": "x\x1by"}, "comments[0].author: contains a control character"),
        ({"user_agent": "agent\x00"}, "comments[0].user_agent: contains a control character"),
        ({"blog_name": "two\nlines"}, "comments[0].blog_name: must be one line"),
        ({"title": "non\ufdd0character"}, "comments[0].title: contains a Unicode non-character"),
    ],
)
def test_a_kiln_import_refuses_forbidden_characters_and_imports_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, change: dict[str, str], where: str
) -> None:
    threads = _count(app, Thread)
    result = invoke(runner, "import", "json", str(_export_with(tmp_path, {"comments": [_comment(1, **change)]})))
    assert result.exit_code == 1 and where in result.output and "Nothing was imported." in result.output
    assert _count(app) == 0 and _count(app, Thread) == threads


def test_a_wordpress_import_leaves_forbidden_characters_out_with_a_note(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    comment = COMMENT.format(
        id=1, parent=0, author="Ann\ufdd0", url="", email="a@example.org", body="it\x92s fine", approved="1", user=0
    )
    path = tmp_path / "export.xml"
    path.write_text(WXR.format(ns="https://wordpress.org/export/1.2/", comments=comment), encoding="utf-8")
    result = invoke(runner, "import", "wxr", str(path))
    assert result.exit_code == 0, result.output
    assert "wxr:5:1: author contains a Unicode non-character; such characters were left out." in result.output
    assert "wxr:5:1: body_source contains a control character" in result.output
    with database(app.config["DATABASE_URL"]).transaction() as session:
        stored = session.scalar(select(Comment).where(Comment.origin == "wxr:5:1"))
        assert stored is not None and stored.author == "Ann" and "<p>its fine</p>" in stored.body_html
