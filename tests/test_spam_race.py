"""Two identical comments at the same moment: one is stored (202), the other refused (409)."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func, select

from comments_service.db import session_scope
from comments_service.models import Comment

FORM = {"author": "Piet", "email": "piet@example.nl", "body": "Precies tegelijk verstuurd."}


def _post_together(app: Flask, form: dict[str, str]) -> list[int]:
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(address: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/comments/open-post/",
            data=form,
            headers={"Accept": "application/json"},
            environ_base={"REMOTE_ADDR": address},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(f"192.0.2.{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


def test_simultaneous_identical_comments_are_stored_once(app: Flask) -> None:
    for round_ in range(5):
        form = {**FORM, "body": f"{FORM['body']} ({round_})"}
        assert _post_together(app, form) == [202, 409], f"round {round_}"
    with session_scope(app.config["DATABASE_URL"]) as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 5
        assert session.scalar(select(func.count(func.distinct(Comment.dedupe_key)))) == 5
