"""The learning filter's corpus size, trusted for CORPUS_SIZE_MAX_AGE: read afresh after learning here."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from comments_service.store import spam_tokens
from comments_service.store.database import database
from comments_service.store.spam_tokens import CORPUS_SIZE_MAX_AGE, corpus_size, train


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(spam_tokens, "monotonic", clock)
    return clock


def _size(url: str) -> tuple[int, int]:
    with database(url).transaction() as session:
        return corpus_size(session.connection())


def test_what_this_process_learns_is_read_at_once(database_url: str, clock: Clock) -> None:
    assert _size(database_url) == (0, 0)
    with database(database_url).transaction() as session:
        train(session, {"viagra"}, "spam")
    assert _size(database_url) == (1, 0)
    with database(database_url).transaction() as session:
        train(session, {"mooi"}, "ham")
        assert _size(database_url) == (1, 0), "not yet committed"
    assert _size(database_url) == (1, 1)


def test_what_another_process_learns_is_read_within_the_max_age(database_url: str, clock: Clock) -> None:
    assert _size(database_url) == (0, 0)
    # Another process's training: the row changes without this process's training code.
    with database(database_url).engine.begin() as connection:
        connection.execute(text("INSERT INTO spam_corpus (id, spam_docs, ham_docs) VALUES (1, 4, 5)"))
    clock.now += CORPUS_SIZE_MAX_AGE * 0.9
    assert _size(database_url) == (0, 0), "trusted for up to CORPUS_SIZE_MAX_AGE"
    clock.now += CORPUS_SIZE_MAX_AGE * 0.2
    assert _size(database_url) == (4, 5)


def test_a_size_read_while_this_process_learns_is_not_kept(database_url: str, clock: Clock) -> None:
    engine = database(database_url).engine
    learnt: list[bool] = []

    def learn_meanwhile(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # The size has been read (the old one); this process learns before it is kept.
        if "spam_corpus" in statement and statement.lstrip().upper().startswith("SELECT") and not learnt:
            learnt.append(True)
            with database(database_url).transaction() as other:
                train(other, {"mooi"}, "ham")

    event.listen(engine, "after_cursor_execute", learn_meanwhile)
    try:
        assert _size(database_url) == (0, 0)
    finally:
        event.remove(engine, "after_cursor_execute", learn_meanwhile)
    assert learnt and _size(database_url) == (0, 1)
