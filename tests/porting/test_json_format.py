"""Kiln's JSON export: complete, free of secrets, and an identical file after a round trip."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from comments_service import create_app
from comments_service.moderation.accounts import create_user
from comments_service.store.database import database
from comments_service.store.models import AuditEntry, Comment, Role, SentLinkback, SpamCorpus, SpamToken, User
from comments_service.store.spam_tokens import corpus_size

from .conftest import app_url, invoke, snapshot


def _fill(app: Flask, runner: FlaskCliRunner, acceptance: Path) -> None:
    """Give the store a bit of everything: imports, an account, moderation, linkbacks sent, a spam filter."""
    invoke(runner, "import", "wxr", str(acceptance / "wxr" / "themeunittestdata.wordpress.xml"))
    with database(app_url(app)).transaction() as session:
        user = create_user(session, "mod", "a long password", Role.MODERATOR, "Mo D.")
        comment = session.scalars(select(Comment).order_by(Comment.id.desc())).first()
        assert comment is not None
        comment.verdict_reason, comment.dedupe_key, comment.updated = "looked fine", "ab" * 32, datetime.now(UTC)
        at = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
        session.add(AuditEntry(at=at, user_id=user.id, username="mod", action="approve", comment_id=comment.id))
        session.add(SentLinkback(thread_slug="template-comments", target_url="https://example.org/", status="sent"))
        session.add(SpamCorpus(spam_docs=3, ham_docs=5))
        session.add_all([SpamToken(token="viagra", spam=3, ham=0), SpamToken(token="thanks", spam=0, ham=4)])


def test_export_then_import_into_an_empty_store_gives_an_identical_file(
    app: Flask, runner: FlaskCliRunner, acceptance: Path, tmp_path: Path, empty_store_url: str
) -> None:
    _fill(app, runner, acceptance)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert invoke(runner, "export", str(first)).exit_code == 0
    assert stat.S_IMODE(first.stat().st_mode) == 0o600

    other = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_store_url, "SITE_DIR": app.config["SITE_DIR"]}
    )
    other_runner = other.test_cli_runner()
    with database(empty_store_url).transaction() as session:
        assert corpus_size(session.connection()) == (0, 0)
    result = invoke(other_runner, "import", "json", str(first))
    assert result.exit_code == 0, result.output
    with database(empty_store_url).transaction() as session:
        assert corpus_size(session.connection()) == (3, 5), "the imported filter counts in this process at once"
    assert invoke(other_runner, "export", str(second)).exit_code == 0
    assert second.read_bytes() == first.read_bytes()

    data = json.loads(first.read_text(encoding="utf-8"))
    assert len(data["comments"]) == 33 and len(data["threads"]) == 77 + 4 and len(data["audit_log"]) == 2
    assert data["users"] == [
        {"username": "mod", "display_name": "Mo D.", "role": "moderator", "created": data["users"][0]["created"]}
    ]
    with database(app_url(app)).transaction() as session:
        secret = session.scalars(select(User.password_hash)).one()
    assert secret not in first.read_text(encoding="utf-8") and '"password_hash"' not in first.read_text(
        encoding="utf-8"
    )

    again = invoke(other_runner, "import", "json", str(first))
    assert "nothing new" in again.output and "33  comments already there" in again.output
    assert snapshot(empty_store_url) == data


def _export_with(tmp_path: Path, change: dict[str, object]) -> Path:
    data: dict[str, object] = {
        "format": "kiln-export",
        "version": 1,
        "threads": [
            {
                "slug": "a",
                "title": "A",
                "author": "",
                "url": "a.html",
                "published": None,
                "closed": False,
                "closed_by_metadata": False,
                "created": "2024-01-01T00:00:00+00:00",
            }
        ],
        "comments": [],
        "users": [],
        "audit_log": [],
        "sent_linkbacks": [],
        "spam_filter": {"spam_docs": 0, "ham_docs": 0, "tokens": []},
    }
    data.update(change)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def _comment(comment_id: int, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": comment_id,
        "thread": "a",
        "parent": None,
        "kind": "comment",
        "state": "approved",
        "author": "x",
        "email": "",
        "website": "",
        "body_source": "hi",
        "body_format": "markdown",
        "by_post_author": False,
        "notify_replies": False,
        "ip": "",
        "user_agent": "",
        "source_url": "",
        "title": "",
        "blog_name": "",
        "verdict_reason": "",
        "origin": None,
        "dedupe_key": None,
        "created": "2024-01-01T00:00:00+00:00",
        "updated": None,
    }
    return base | fields


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"comments": [_comment(1, state="hidden")]}, "export.json: comments[0].state: 'hidden' is not one of"),
        ({"comments": [_comment(1, thread="b")]}, "export.json: comments[0].thread: no thread 'b' in the file"),
        ({"comments": [_comment(1, created="yesterday")]}, "comments[0].created: 'yesterday' is not an ISO 8601"),
        ({"comments": [_comment(1, website="javascript:alert(1)")]}, "comments[0].website: must start with http"),
        ({"version": 2}, "export format version 2; this Kiln reads version 1 to 1"),
        ({"comments": [_comment(7), _comment(7, body_source="other")]}, "comments[1].id: 7 is used twice"),
        # Two comments from one origin get past the checks; the store refuses the second, after the thread is in.
        ({"comments": [_comment(7, origin="wxr:1:1"), _comment(8, origin="wxr:1:1")]}, "the store refused comment #8"),
    ],
)
def test_bad_exports_are_refused_with_their_place_and_change_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    before = snapshot(app_url(app))
    result = invoke(runner, "import", "json", str(_export_with(tmp_path, change)))
    assert result.exit_code == 1 and message in result.output and "Nothing was imported." in result.output
    assert snapshot(app_url(app)) == before


def test_malformed_json_names_line_and_column(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n "format": "kiln-export",\n "version": 1,,\n}', encoding="utf-8")
    result = invoke(runner, "import", "json", str(path))
    assert result.exit_code == 1 and "broken.json: line 3, column 15: Expecting property name" in result.output
