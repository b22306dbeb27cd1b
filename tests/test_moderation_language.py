"""The moderation pages speak their moderator's language: the account's choice, else the browser's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from comments_service.language import catalogs
from comments_service.store.database import database
from comments_service.store.models import AuditEntry, Role, User
from comments_service.store.users import find_user, set_language

from .conftest import MODERATOR
from .helpers import add_account, login, moderation_token

SPOKEN = ("de", "fr", "nl")
JSON = {"Accept": "application/json"}


@pytest.fixture
def chrome_language() -> str:
    """No forced chrome language: the choice this module tests is made per post, person and request."""
    return ""


@pytest.fixture(autouse=True)
def spoken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, ...]]:
    """Empty compiled catalogs for de, fr and nl, so Kiln speaks them (in English words) whatever catalogs exist."""
    folder = tmp_path / "translations"
    for language in SPOKEN:
        messages = folder / language / "LC_MESSAGES"
        messages.mkdir(parents=True)
        with (messages / f"{catalogs.DOMAIN}.mo").open("wb") as file:
            write_mo(file, Catalog(locale=language))
    monkeypatch.setattr(catalogs, "CATALOG_DIR", folder)
    caches = (catalogs.languages, catalogs.translations, catalogs.catalog_key)
    for cached in caches:
        cached.cache_clear()
    yield catalogs.languages()
    # The next call reads the real catalogs again, once monkeypatch has put their folder back.
    for cached in caches:
        cached.cache_clear()


def _lang(client: FlaskClient, url: str = "/moderate/", accept: str | None = None) -> str:
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    found = re.search(r'<html lang="([^"]*)">', response.get_data(as_text=True))
    assert found, "no <html lang> on the page"
    return found.group(1)


def _stored(app: Flask, username: str = MODERATOR[0]) -> str:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        user = find_user(session, username)
        assert user is not None
        return user.language


def _store(app: Flask, language: str, username: str = MODERATOR[0]) -> None:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        user = find_user(session, username)
        assert user is not None
        set_language(session, user.id, language)


def test_kiln_speaks_the_test_languages(spoken: tuple[str, ...]) -> None:
    assert spoken == ("de", "en", "fr", "nl")


def test_the_queue_speaks_the_account_language_whatever_the_browser_asks(mod_client: FlaskClient, app: Flask) -> None:
    _store(app, "de")
    assert _lang(mod_client, accept="nl, fr;q=0.5") == "de"
    assert _lang(mod_client, "/moderate/threads/open-post", accept="fr") == "de"


def test_without_an_account_language_the_browser_decides(mod_client: FlaskClient) -> None:
    assert _lang(mod_client, accept="fr-CH, fr;q=0.9, nl;q=0.5") == "fr"
    assert _lang(mod_client, accept="xx, nl-BE;q=0.8") == "nl"
    assert _lang(mod_client, accept="en-GB") == "en"


def test_a_forced_site_language_gives_way_to_the_account_but_not_to_the_browser(
    mod_client: FlaskClient, app: Flask
) -> None:
    app.config["LANGUAGE"] = "fr"
    assert _lang(mod_client, accept="de") == "fr"
    _store(app, "nl")
    assert _lang(mod_client, accept="de") == "nl"


def test_the_header_offers_every_language_by_its_own_name(mod_client: FlaskClient) -> None:
    html = mod_client.get("/moderate/").get_data(as_text=True)
    form = html[html.index('action="/moderate/language"') :]
    form = form[: form.index("</form>")]
    options = [
        (code, unescape(name)) for code, name in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', form)
    ]
    assert options == [
        ("", "Browser's language"),
        ("de", "Deutsch"),
        ("en", "English"),
        ("fr", "français"),
        ("nl", "Nederlands"),
    ]
    assert 'name="csrf_token"' in form


def test_choosing_a_language_keeps_it_and_the_next_page_speaks_it(mod_client: FlaskClient, app: Flask) -> None:
    token = moderation_token(mod_client)
    response = mod_client.post(
        "/moderate/language",
        data={"csrf_token": token, "language": "nl"},
        headers={"Referer": "http://localhost/moderate/threads/open-post"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "http://localhost/moderate/threads/open-post"
    assert _stored(app) == "nl"
    page = mod_client.get("/moderate/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="nl">' in page and '<option value="nl" lang="nl" selected>' in page
    assert "Your language is saved." in page
    with database(app.config["DATABASE_URL"]).transaction() as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert (entry.username, entry.action) == (MODERATOR[0], "account-language")

    # Back to the browser's language.
    answer = mod_client.post("/moderate/language", data={"csrf_token": token, "language": ""}, headers=JSON)
    assert answer.status_code == 200 and answer.get_json() == {"language": ""}
    assert _stored(app) == "" and _lang(mod_client, accept="fr") == "fr"


@pytest.mark.parametrize("language", ["xx", "en-GB", "NL", "../nl", "nl\n"])
def test_an_unknown_language_is_refused_and_nothing_is_stored(
    mod_client: FlaskClient, app: Flask, language: str
) -> None:
    token = moderation_token(mod_client)
    answer = mod_client.post("/moderate/language", data={"csrf_token": token, "language": language}, headers=JSON)
    assert answer.status_code == 400 and "does not speak the language" in answer.get_json()["message"]
    browser = mod_client.post("/moderate/language", data={"csrf_token": token, "language": language})
    assert browser.status_code == 400 and '<html lang="' in browser.get_data(as_text=True)
    assert _stored(app) == ""
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert session.scalars(select(AuditEntry)).all() == []


def test_the_language_form_needs_its_csrf_token(mod_client: FlaskClient, app: Flask) -> None:
    assert mod_client.post("/moderate/language", data={"language": "nl"}).status_code == 400
    assert mod_client.post("/moderate/language", data={"language": "nl", "csrf_token": "forged"}).status_code == 400
    assert _stored(app) == ""


def test_an_admin_sets_the_language_of_an_account(client: FlaskClient, app: Flask) -> None:
    add_account(app, "boss", Role.ADMIN)
    anna = add_account(app, "anna", Role.MODERATOR)
    login(client, "boss")
    token = moderation_token(client)
    url = f"/moderate/admin/accounts/{anna}/language"
    assert client.post(url, data={"csrf_token": token, "language": "fr"}).status_code == 303
    assert client.post(url, data={"csrf_token": token, "language": "xx"}, headers=JSON).status_code == 400
    assert _stored(app, "anna") == "fr" and _stored(app, "boss") == ""
    page = client.get("/moderate/admin/accounts").get_data(as_text=True)
    row = page[page.index(f'id="account-{anna}"') :]
    assert '<option value="fr" lang="fr" selected>' in row[: row.index("</tr>")]
    audit = client.get("/moderate/admin/audit").get_data(as_text=True)
    assert "Changed a language" in audit and "français" in audit


def test_the_user_command_sets_the_language_of_a_new_account(runner: FlaskCliRunner, app: Flask) -> None:
    result = runner.invoke(args=["user", "add", "bea", "--language", "nl", "--password-stdin"], input="lang genoeg\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["user", "add", "cor", "--language", "xx", "--password-stdin"], input="lang genoeg\n")
    assert result.exit_code == 1 and "does not speak the language 'xx'" in result.output
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert {u.username: u.language for u in session.scalars(select(User))} == {"bea": "nl"}
