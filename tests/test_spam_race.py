"""Two identical comments at the same moment: one is stored (202), the other refused (409)."""

from __future__ import annotations

import threading
from dataclasses import replace

from flask import Flask
from sqlalchemy import func, insert, select

from comments_service.store.comments import NewCommentRecord, insert_new_comment
from comments_service.store.database import database
from comments_service.store.models import Comment, State, Thread

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
    with database(app.config["DATABASE_URL"]).transaction() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 5
        assert session.scalar(select(func.count(func.distinct(Comment.dedupe_key)))) == 5


def test_a_copy_inserts_nothing_and_leaves_its_transaction_whole(database_url: str) -> None:
    # A failed statement would doom the transaction, and with it every write of a group commit.
    with database(database_url).engine.begin() as connection:
        thread_id = connection.execute(insert(Thread).values(slug="t").returning(Thread.id)).scalar_one()
        record = NewCommentRecord(thread_id, author="Piet", body_source="x", body_html="<p>x</p>", state=State.PENDING)
        first = insert_new_comment(connection, replace(record, dedupe_key="a" * 64))
        copy = insert_new_comment(connection, replace(record, dedupe_key="a" * 64))
        other = insert_new_comment(connection, replace(record, dedupe_key="b" * 64))
        unkeyed = insert_new_comment(connection, replace(record, dedupe_key=None))
    assert first is not None and copy is None and other is not None and unkeyed is not None
    with database(database_url).transaction() as session:
        assert session.scalars(select(Comment.id).order_by(Comment.id)).all() == [first.id, other.id, unkeyed.id]
