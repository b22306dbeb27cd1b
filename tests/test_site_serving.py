"""The service serving the built site (`make run`) answers as a web server would, and its own routes win."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from comments_service import create_app

JSON = {"Accept": "application/json"}


@pytest.fixture
def site_client(app: Flask) -> FlaskClient:
    """A client of the service with the built site served beside its routes."""
    return create_app({**app.config, "SERVE_SITE": True}).test_client()


@pytest.mark.parametrize("path", ["/comments/open-post/", "/webmention", "/pingback", "/trackback/open-post"])
def test_a_get_on_a_post_only_route_is_405_with_allow(site_client: FlaskClient, path: str) -> None:
    response = site_client.get(path, headers=JSON)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"] and "GET" not in response.headers["Allow"]


def test_the_front_page_is_served_at_slash_and_at_index_html(site_client: FlaskClient, output: Path) -> None:
    front = (output / "index.html").read_bytes()
    assert site_client.get("/").get_data() == front
    at_name = site_client.get("/index.html")
    assert at_name.status_code == 200 and at_name.get_data() == front
    assert site_client.get("/category/sales.html").status_code == 200


@pytest.mark.parametrize(
    "path", ["/comments/..%2Fopen-post/", "/comments/%2E%2E%2Fopen-post/", "/comments/open-post%2F..%2F..%2Fx/"]
)
def test_encoded_dot_segments_in_a_slug_are_404(site_client: FlaskClient, path: str) -> None:
    response = site_client.post(path, data={"author": "A", "body": "Hallo"}, headers=JSON)
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/..%2F..%2Fetc/passwd", "/.kiln-manifest.json", "/theme/..%2F.kiln-manifest.json"])
def test_private_and_outside_files_are_404(site_client: FlaskClient, path: str) -> None:
    assert site_client.get(path).status_code == 404


def test_a_folder_without_its_slash_redirects_and_a_post_to_a_file_is_405(site_client: FlaskClient) -> None:
    folder = site_client.get("/theme")
    assert folder.status_code == 301 and folder.headers["Location"].endswith("/theme/")
    refused = site_client.post("/open-post.html", headers=JSON)
    assert refused.status_code == 405 and refused.headers["Allow"] == "GET, HEAD"
    assert site_client.post("/no-such-page.html", headers=JSON).status_code == 404


def test_the_service_routes_still_answer_beside_the_site(site_client: FlaskClient) -> None:
    answer = site_client.post("/comments/open-post/", data={"author": "Els", "body": "Mooi stuk."}, headers=JSON)
    assert answer.status_code == 202
    assert site_client.get("/moderate/login").status_code == 200
