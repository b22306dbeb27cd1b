"""The queue: pending first, filters, what each row shows, bulk actions and keyset pagination."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from comments_service.store.comments import NewCommentRecord, add_comment
from comments_service.store.database import database
from comments_service.store.models import AuditEntry, Comment, State
from comments_service.store.threads import get_thread

from .helpers import moderation_token

JSON = {"Accept": "application/json"}


def _add(app: Flask, slug: str = "open-post", state: State = State.PENDING, **fields: object) -> int:
    """Store a comment directly (the public form's rate limit is not under test here)."""
    values: dict[str, object] = {"author": "Piet", "body_source": "Tekst", "body_html": "<p>Tekst</p>"} | fields
    with database(app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, slug)
        assert thread is not None
        return add_comment(session, NewCommentRecord(thread_id=thread.id, state=state, **values)).id


def _shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="queue-(\d+)"', html)]


def _states(app: Flask, ids: list[int]) -> list[State]:
    with database(app.config["DATABASE_URL"]).transaction() as session:
        return [session.get(Comment, i).state for i in ids]  # type: ignore[union-attr]


def test_pending_comes_first_oldest_first(mod_client: FlaskClient, app: Flask) -> None:
    first, second = _add(app), _add(app)
    approved = _add(app, state=State.APPROVED)
    assert _shown(mod_client.get("/moderate/").get_data(as_text=True)) == [first, second]
    assert _shown(mod_client.get("/moderate/?state=approved").get_data(as_text=True)) == [approved]


def test_filters_by_state_post_and_text(mod_client: FlaskClient, app: Flask) -> None:
    ids = {
        "spam": _add(app, state=State.SPAM, author="Spammer"),
        "deleted": _add(app, state=State.DELETED),
        "other_post": _add(app, "luisteren", author="Klaas"),
        "by_email": _add(app, email="kees@example.org"),
        "by_body": _add(app, body_source="Over 100% korting", body_html="<p>Over 100% korting</p>"),
        "by_author": _add(app, author="Mieke de Vries"),
    }
    cases = {
        "/moderate/?state=spam": [ids["spam"]],
        "/moderate/?state=deleted": [ids["deleted"]],
        "/moderate/?post=luisteren": [ids["other_post"]],
        "/moderate/?q=KEES@example": [ids["by_email"]],
        "/moderate/?q=100%25": [ids["by_body"]],
        "/moderate/?q=mieke": [ids["by_author"]],
        "/moderate/?q=1%25": [],
        "/moderate/?q=mieke&post=luisteren": [],
    }
    for url, expected in cases.items():
        assert _shown(mod_client.get(url).get_data(as_text=True)) == expected, url
    assert mod_client.get("/moderate/?state=nope").status_code == 400
    assert mod_client.get("/moderate/?after=abc").status_code == 400
    assert mod_client.get("/moderate/?post=no-such-post").status_code == 404


def test_a_row_shows_the_comment_as_it_will_appear_with_its_context(mod_client: FlaskClient, app: Flask) -> None:
    parent = _add(app, state=State.APPROVED, author="Anna", body_source="Wat vinden jullie van koude acquisitie?")
    for _ in range(2):
        _add(app, state=State.APPROVED, author="Bert", email="bert@example.org")
    _add(app, state=State.APPROVED, author="Bert", email="other@example.org")
    row = _add(
        app,
        parent_id=parent,
        author="Bert <b>B</b>",
        email="bert@example.org",
        website="https://bert.example/",
        ip="203.0.113.9",
        body_source="**Ja**",
        body_html="<p><strong>Ja</strong></p>",
    )
    again = _add(app, author="Bert", email="bert@example.org", ip="203.0.113.9")
    html = mod_client.get("/moderate/").get_data(as_text=True)
    item = html[html.index(f'id="queue-{again}"') :]
    assert "2 approved comments before" in item and "bert@example.org" in item and "203.0.113.9" in item
    first = html[html.index(f'id="queue-{row}"') : html.index(f'id="queue-{again}"')]
    assert "<p><strong>Ja</strong></p>" in first and "Bert &lt;b&gt;B&lt;/b&gt;" in first
    assert "0 approved comments before" in first
    assert 'href="https://bert.example/"' in first and "203.0.113.9" in first
    assert 'href="/open-post.html">Open post</a>' in first
    assert "In reply to" in first and "Anna" in first and "Wat vinden jullie van koude acquisitie?" in first


def test_bulk_actions_change_every_ticked_comment_in_one_go(mod_client: FlaskClient, app: Flask, output: Path) -> None:
    token = moderation_token(mod_client)
    keep = _add(app)
    ids = [_add(app, body_source=f"Bulk {n}", body_html=f"<p>Bulk {n}</p>") for n in range(3)]
    response = mod_client.post("/moderate/bulk", data={"csrf_token": token, "ids": ids[:2], "action": "approve"})
    assert response.status_code == 303
    assert _states(app, [keep, *ids]) == [State.PENDING, State.APPROVED, State.APPROVED, State.PENDING]
    page = (output / "open-post.html").read_text(encoding="utf-8")
    assert "Bulk 0" in page and "Bulk 1" in page and "Bulk 2" not in page
    for action, state in (("spam", State.SPAM), ("delete", State.DELETED)):
        data = {"csrf_token": token, "ids": [ids[2]], "action": action}
        assert mod_client.post("/moderate/bulk", data=data, headers=JSON).get_json() == {
            "action": action,
            "ids": [ids[2]],
        }
        assert _states(app, [ids[2]]) == [state]
    with database(app.config["DATABASE_URL"]).transaction() as session:
        log = [(e.action, e.comment_id, json.loads(e.detail)) for e in session.scalars(select(AuditEntry))]
    assert [(action, cid) for action, cid, _ in log] == [
        ("approve", ids[0]),
        ("approve", ids[1]),
        ("spam", ids[2]),
        ("delete", ids[2]),
    ]
    assert all(detail["bulk"] is True for _, _, detail in log)
    assert log[0][2]["old_state"] == "pending"


def test_bulk_refuses_bad_requests_and_changes_nothing(mod_client: FlaskClient, app: Flask) -> None:
    token = moderation_token(mod_client)
    comment = _add(app)
    bad = [
        ({"ids": [comment], "action": "explode"}, 400),
        ({"action": "approve"}, 400),
        ({"ids": ["1; DROP TABLE comments"], "action": "approve"}, 400),
        ({"ids": [comment, 999999], "action": "approve"}, 404),
    ]
    for data, status in bad:
        assert mod_client.post("/moderate/bulk", data={**data, "csrf_token": token}, headers=JSON).status_code == status
    assert _states(app, [comment]) == [State.PENDING]


def test_keyset_pages_walk_forwards_and_back(mod_client: FlaskClient, app: Flask) -> None:
    app.config["QUEUE_PAGE_SIZE"] = 2
    pending = [_add(app) for _ in range(5)]
    approved = [_add(app, state=State.APPROVED) for _ in range(3)]

    def page(url: str) -> tuple[list[int], str | None, str | None]:
        html = mod_client.get(url).get_data(as_text=True)
        prev = re.search(r'rel="prev" href="([^"]+)"', html)
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        unescape = lambda m: m.group(1).replace("&amp;", "&") if m else None  # noqa: E731
        return _shown(html), unescape(prev), unescape(nxt)

    rows, prev, nxt = page("/moderate/")
    assert rows == pending[:2] and prev is None and nxt
    rows, prev, nxt = page(nxt)
    assert rows == pending[2:4] and prev and nxt
    last, _, end = page(nxt)
    assert last == pending[4:] and end is None
    back, before, _ = page(prev)
    assert back == pending[:2] and before is None
    # Other states show the newest first.
    rows, _, nxt = page("/moderate/?state=approved")
    assert rows == approved[::-1][:2] and nxt and page(nxt)[0] == approved[:1]


def test_a_text_search_reads_a_bounded_window_per_page_and_misses_nothing(mod_client: FlaskClient, app: Flask) -> None:
    app.config.update(QUEUE_PAGE_SIZE=2, QUEUE_SEARCH_WINDOW=3)
    hits = [n in (0, 1, 2, 7, 11, 12) for n in range(14)]
    ids = [_add(app, body_source="zoekterm" if hit else "anders") for hit in hits]
    wanted = [i for i, hit in zip(ids, hits, strict=True) if hit]

    def walk(url: str, rel: str) -> tuple[list[list[int]], list[str]]:
        pages, notes = [], []
        next_url: str | None = url
        while next_url:
            html = mod_client.get(next_url).get_data(as_text=True)
            pages.append(_shown(html))
            notes.append("searched to #" in html)
            found = re.search(rf'rel="{rel}" href="([^"]+)"', html)
            next_url = found.group(1).replace("&amp;", "&") if found else None
            assert len(pages) < 20
        return pages, notes

    pages, notes = walk("/moderate/?q=zoekterm", "next")
    assert [i for page in pages for i in page] == wanted
    assert all(len(page) <= 2 for page in pages) and any(notes) and pages[-1]
    # Walking back from the last page meets the same matches in reverse.
    last_first = pages[-1][0]
    back, _ = walk(f"/moderate/?q=zoekterm&before={last_first}", "prev")
    assert [i for page in reversed(back) for i in page] == wanted[: wanted.index(last_first)]
