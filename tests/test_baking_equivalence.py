"""After every moderation step, the baked site equals a fresh full Pelican build, byte for byte."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from .baking_support import differences, fresh_build
from .helpers import moderation_token

JSON = {"Accept": "application/json"}


def _submit(client: FlaskClient, slug: str, body: str, parent: int | None = None) -> int:
    data = {"author": 'Piet <de> "Vries" & co', "website": "https://piet.example", "body": body}
    response = client.post(f"/comments/{slug}/", data=data | ({"parent": str(parent)} if parent else {}), headers=JSON)
    assert response.status_code == 202, response.get_data(as_text=True)
    return int(response.get_json()["id"])


def test_every_step_matches_a_fresh_full_build(
    mod_client: FlaskClient, app: Flask, output: Path, tmp_path: Path
) -> None:
    token = moderation_token(mod_client)
    steps = 0

    def act(url: str) -> None:
        assert mod_client.post(url, data={"csrf_token": token}).status_code == 303, url

    def same_as_full_build() -> None:
        nonlocal steps
        steps += 1
        assert differences(output, fresh_build(app, tmp_path / f"fresh-{steps}")) == []

    first = _submit(mod_client, "open-post", "Eerste **reactie**")
    same_as_full_build()
    act(f"/moderate/comments/{first}/approve")
    assert "Eerste <strong>reactie</strong>" in (output / "open-post.html").read_text()
    same_as_full_build()
    reply = _submit(mod_client, "open-post", "Een antwoord", parent=first)
    act(f"/moderate/comments/{reply}/approve")
    elsewhere = _submit(mod_client, "luisteren", "Op een andere post")
    act(f"/moderate/comments/{elsewhere}/approve")
    same_as_full_build()
    act("/moderate/threads/open-post/close")
    same_as_full_build()
    # The parent goes, its approved reply stays: the page keeps a placeholder.
    act(f"/moderate/comments/{first}/delete")
    assert 'class="comment-placeholder"' in (output / "open-post.html").read_text()
    same_as_full_build()
    act("/moderate/threads/open-post/open")
    act(f"/moderate/comments/{reply}/spam")
    same_as_full_build()
    act(f"/moderate/comments/{elsewhere}/delete")
    act(f"/moderate/comments/{reply}/approve")
    same_as_full_build()
    # An edit changes an entry that bakes would otherwise reuse from the feed file.
    edited = mod_client.post(f"/moderate/comments/{reply}/edit", data={"csrf_token": token, "body": "Nu *anders*"})
    assert edited.status_code == 303
    assert "Nu &lt;em&gt;anders&lt;/em&gt;" in (output / "feeds/comments/open-post.atom.xml").read_text()
    same_as_full_build()


def test_the_comparison_notices_a_stale_file(app: Flask, output: Path, tmp_path: Path) -> None:
    built = fresh_build(app, tmp_path / "fresh")
    assert differences(output, built) == []
    index = output / "index.html"
    index.write_text(index.read_text().replace("No comments", "3 comments"))
    feed = output / "feeds/comments/open-post.atom.xml"
    feed.write_bytes(feed.read_bytes() + b" ")
    assert differences(output, built) == ["feeds/comments/open-post.atom.xml", "index.html"]
