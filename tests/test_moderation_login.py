"""Logging in safely: throttling kept in the store, server-side sessions, cookie flags."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from comments_service import create_app
from comments_service.moderation.accounts import DUMMY_HASH
from comments_service.store.database import database
from comments_service.store.models import AuthSession, LoginFailure

from .helpers import csrf_token_from, login, moderation_token

JSON = {"Accept": "application/json"}


def _attempt(client: FlaskClient, username: str, password: str, ip: str = "192.0.2.1") -> int:
    environ = {"REMOTE_ADDR": ip}
    token = csrf_token_from(client.get("/moderate/login", environ_base=environ).get_data(as_text=True))
    data = {"username": username, "password": password, "csrf_token": token}
    response = client.post("/moderate/login", data=data, environ_base=environ)
    return response.status_code


def _fail(client: FlaskClient, times: int, username: str = "mod", ip: str = "192.0.2.1") -> None:
    for _ in range(times):
        assert _attempt(client, username, "wrong password", ip) == 401


def test_an_unknown_username_costs_the_same_key_derivation_as_a_wrong_password() -> None:
    # The hash checked for a missing account is written out; it must use the parameters new passwords get.
    method = generate_password_hash("any password").split("$")[0]
    assert DUMMY_HASH.split("$")[0] == method
    assert check_password_hash(DUMMY_HASH, "kiln-no-such-user")


def test_ten_failures_lock_the_account_even_with_the_right_password(
    client: FlaskClient, moderator: tuple[str, str]
) -> None:
    # From ten addresses, so only the account's count can trip.
    for n in range(10):
        _fail(client, 1, ip=f"192.0.2.{n + 10}")
    token = csrf_token_from(client.get("/moderate/login").get_data(as_text=True))
    data = {"username": moderator[0], "password": moderator[1], "csrf_token": token}
    response = client.post("/moderate/login", data=data, headers=JSON)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert client.get("/moderate/").status_code == 302
    assert _attempt(client, "someone-else", "whatever", ip="192.0.2.99") == 401


def test_nine_failures_do_not_lock(client: FlaskClient, moderator: tuple[str, str]) -> None:
    _fail(client, 9)
    assert _attempt(client, *moderator) == 303


def test_ten_failures_from_an_address_lock_every_account_from_it(
    client: FlaskClient, moderator: tuple[str, str]
) -> None:
    for n in range(10):
        _fail(client, 1, username=f"guess{n}", ip="198.51.100.7")
    assert _attempt(client, *moderator, ip="198.51.100.7") == 429
    assert _attempt(client, *moderator, ip="198.51.100.8") == 303


def test_the_lock_lifts_when_the_window_passes(client: FlaskClient, app: Flask, moderator: tuple[str, str]) -> None:
    _fail(client, 10)
    assert _attempt(client, *moderator) == 429
    with database(app.config["DATABASE_URL"]).transaction() as session:
        for failure in session.scalars(select(LoginFailure)):
            failure.at -= timedelta(minutes=15, seconds=1)
    assert _attempt(client, *moderator) == 303


def test_the_lock_holds_in_another_process(client: FlaskClient, app: Flask, moderator: tuple[str, str]) -> None:
    _fail(client, 10)
    # A second app over the same store shares nothing in memory with the first.
    other = create_app({"TESTING": True, "SECRET_KEY": "other", "DATABASE_URL": app.config["DATABASE_URL"]})
    assert _attempt(other.test_client(), *moderator) == 429


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_the_cookie_holds_a_token_whose_hash_alone_is_stored(mod_client: FlaskClient, app: Flask) -> None:
    contents = app.session_interface.get_signing_serializer(app).loads(_cookie(mod_client))  # type: ignore[attr-defined]
    token = contents["auth"]
    with database(app.config["DATABASE_URL"]).transaction() as session:
        stored = session.scalars(select(AuthSession)).all()
    assert [s.id for s in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert "user_id" not in contents


def test_login_rotates_the_session(client: FlaskClient, moderator: tuple[str, str]) -> None:
    page = client.get("/moderate/login").get_data(as_text=True)
    before_cookie, before_token = _cookie(client), csrf_token_from(page)
    login(client, moderator[0])
    assert _cookie(client) != before_cookie
    # The pre-login session neither logs anyone in nor carries a usable CSRF token.
    planted = client.application.test_client()
    planted.set_cookie("session", before_cookie)
    assert planted.get("/moderate/").status_code == 302
    response = client.post("/moderate/threads/open-post/close", data={"csrf_token": before_token})
    assert response.status_code == 400


def test_logout_revokes_the_session_on_the_server(mod_client: FlaskClient, app: Flask) -> None:
    copy = app.test_client()
    copy.set_cookie("session", _cookie(mod_client))
    assert copy.get("/moderate/").status_code == 200
    assert mod_client.post("/moderate/logout", data={"csrf_token": moderation_token(mod_client)}).status_code == 303
    assert copy.get("/moderate/").status_code == 302
    assert copy.get("/moderate/", headers=JSON).status_code == 401
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert all(s.revoked_at is not None for s in session.scalars(select(AuthSession)))


def test_a_login_survives_a_key_rotation_and_not_a_key_change(mod_client: FlaskClient, app: Flask) -> None:
    cookie = _cookie(mod_client)
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    assert copy.get("/moderate/").status_code == 200
    # Rotated: the old key signs no more, but still verifies.
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = "a new key", [old_key]
    assert copy.get("/moderate/").status_code == 200
    # Replaced: a cookie signed with the old key no longer logs anyone in.
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert copy.get("/moderate/").status_code == 302


def test_a_login_expires(mod_client: FlaskClient, app: Flask) -> None:
    hours = app.config["LOGIN_SESSION_HOURS"]
    with database(app.config["DATABASE_URL"]).transaction() as session:
        for login_session in session.scalars(select(AuthSession)):
            login_session.created -= timedelta(hours=hours)
    assert mod_client.get("/moderate/").status_code == 302


def test_cookies_are_httponly_lax_and_secure_over_https(app: Flask) -> None:
    plain = app.test_client().get("/moderate/login").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure = app.test_client().get("/moderate/login", base_url="https://localhost").headers["Set-Cookie"]
    assert "HttpOnly" in secure and "SameSite=Lax" in secure and "Secure" in secure


def test_behind_a_proxy_the_forwarded_scheme_decides(database_url: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url, "TRUSTED_PROXIES": 1})
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    assert "Secure" in app.test_client().get("/moderate/login", headers=headers).headers["Set-Cookie"]
