"""In every language Kiln speaks, and with posts in several, a bake equals a fresh full build byte for byte."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .baking_support import differences, fresh_build
from .conftest import built_app
from .helpers import moderation_token

JSON = {"Accept": "application/json"}
# "" leaves each page to its post's Lang; the others force one chrome language on the whole site.
FORCED = ["", "en", "nl", "de", "fr"]


@pytest.fixture(params=FORCED, ids=lambda language: language or "per-post")
def chrome_language(request: pytest.FixtureRequest) -> str:
    """The site's forced chrome language, or none."""
    return str(request.param)


@pytest.fixture
def app(database_url: str, site_dir: Path) -> Iterator[Flask]:
    """The service over a site with a German and an Arabic post."""
    for slug, lang in (("duits", "de"), ("arabisch", "ar")):
        (site_dir / "content" / f"{slug}.md").write_text(
            f"Title: {slug}\nDate: 2009-08-01 09:00\nAuthor: Rikkert Walbeek\nSlug: {slug}\nLang: {lang}\n\nTekst.\n",
            encoding="utf-8",
        )
    yield from built_app(database_url, site_dir, FLOOD_SECONDS=0)


def _comment(client: FlaskClient, slug: str, token: str, body: str) -> None:
    response = client.post(f"/comments/{slug}/", data={"author": "Lotte", "body": body}, headers=JSON)
    assert response.status_code == 202, response.get_data(as_text=True)
    approved = client.post(f"/moderate/comments/{response.get_json()['id']}/approve", data={"csrf_token": token})
    assert approved.status_code == 303


def test_bakes_equal_full_builds_in_every_language(
    mod_client: FlaskClient, app: Flask, output: Path, tmp_path: Path
) -> None:
    token = moderation_token(mod_client)
    for number, slug in enumerate(("open-post", "duits", "arabisch", "open-post")):
        _comment(mod_client, slug, token, f"Reactie {number} op {slug}")
    assert differences(output, fresh_build(app, tmp_path / "fresh")) == []


def test_each_page_speaks_its_language_and_marks_chrome_in_another(output: Path, chrome_language: str) -> None:
    german, arabic, dutch = ((output / f"{slug}.html").read_text() for slug in ("duits-de", "arabisch-ar", "open-post"))
    assert '<html lang="de">' in german and '<html lang="nl">' in dutch
    # Right to left: the page says so, and chrome in a left-to-right language marks its own direction.
    assert '<html lang="ar" dir="rtl">' in arabic
    chrome = chrome_language or None
    for page, content, expected in (
        (german, "de", chrome or "de"),
        (dutch, "nl", chrome or "nl"),
        (arabic, "ar", chrome or "nl"),
    ):
        footer = re.search(r'<footer class="site-footer"([^>]*)>', page)
        assert footer is not None
        if expected == content:
            assert footer.group(1) == ""
        else:
            assert f'lang="{expected}"' in footer.group(1)
            assert ('dir="ltr"' in footer.group(1)) == (content == "ar")
