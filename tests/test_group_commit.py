"""Writes queued while a group commits are committed together; each gets its own answer; bad writes fail alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, event, exc, text

from comments_service.store.database import database
from comments_service.store.group_commit import GroupCommit

from .helpers import INSERT_BAKE_JOB


def _insert(slug: str) -> Callable[[Connection], Any]:
    def work(connection: Connection) -> Any:
        return connection.execute(INSERT_BAKE_JOB, {"slug": slug}).scalar_one()

    return work


def _run_behind_a_slow_commit(
    group: GroupCommit, slugs: list[str], **works: Callable[[Connection], Any]
) -> dict[str, Any]:
    """Start a write that holds its group open, queue a write per slug and each of works, and collect every answer."""
    release = threading.Event()
    answers: dict[str, Any] = {}

    def slow(connection: Connection) -> Any:
        release.wait(10)
        return _insert("first")(connection)

    def call(slug: str, work: Callable[[Connection], Any]) -> None:
        try:
            answers[slug] = group.run(work)
        except BaseException as error:  # noqa: BLE001 - the answer under test may be any exception
            answers[slug] = error

    threads = [threading.Thread(target=call, args=("first", slow))]
    threads[0].start()
    time.sleep(0.2)
    queued = {slug: _insert(slug) for slug in slugs} | works
    threads += [threading.Thread(target=call, args=item) for item in queued.items()]
    for thread in threads[1:]:
        thread.start()
    # The queued writes wait behind the first group, which is still running its write.
    time.sleep(0.5)
    release.set()
    for thread in threads:
        thread.join(10)
    return answers


def _stored(url: str) -> dict[str, int]:
    with database(url).engine.connect() as connection:
        return {slug: job_id for slug, job_id in connection.execute(text("SELECT slug, id FROM bake_jobs"))}


def _count_commits(url: str) -> list[int]:
    commits = [0]

    def counted(_connection: Connection) -> None:
        commits[0] += 1

    event.listen(database(url).engine, "commit", counted)
    return commits


def test_writes_queued_during_a_commit_are_committed_together(sqlite_url: str) -> None:
    group = GroupCommit(database(sqlite_url).engine)
    commits = _count_commits(sqlite_url)
    slugs = [f"post-{n}" for n in range(5)]
    answers = _run_behind_a_slow_commit(group, slugs)
    stored = _stored(sqlite_url)
    assert sorted(stored) == sorted(["first", *slugs])
    # Every caller got the id of its own row.
    assert answers == stored
    # The first write's group, then one group for all five that queued behind it.
    assert commits[0] == 2


def test_a_failing_write_fails_alone_and_its_group_is_committed(sqlite_url: str) -> None:
    with database(sqlite_url).engine.begin() as connection:
        connection.execute(INSERT_BAKE_JOB, {"slug": "taken"})
    group = GroupCommit(database(sqlite_url).engine)
    answers = _run_behind_a_slow_commit(group, ["before", "taken", "after"])
    stored = _stored(sqlite_url)
    assert isinstance(answers["taken"], exc.IntegrityError)
    assert answers["before"] == stored["before"] and answers["after"] == stored["after"]
    assert sorted(stored) == ["after", "before", "first", "taken"]


def test_a_write_alone_commits_at_once(sqlite_url: str) -> None:
    group = GroupCommit(database(sqlite_url).engine)
    job_id = group.run(_insert("alone"))
    assert _stored(sqlite_url) == {"alone": job_id}
    with pytest.raises(exc.IntegrityError):
        group.run(_insert("alone"))
    # The failure left the group free for the next writer.
    assert group.run(_insert("next")) == _stored(sqlite_url)["next"]


class _Interrupt(BaseException):
    """Stands for what ends a thread rather than a write (SystemExit, KeyboardInterrupt)."""


def _interrupted(connection: Connection) -> None:
    raise _Interrupt


def test_an_interrupted_group_answers_every_caller_and_frees_the_group(sqlite_url: str) -> None:
    group = GroupCommit(database(sqlite_url).engine)
    answers = _run_behind_a_slow_commit(group, ["queued"], interrupted=_interrupted)
    # The thread that committed the group is interrupted; the other caller is told its write was not stored.
    assert {type(answers["interrupted"]), type(answers["queued"])} == {_Interrupt, RuntimeError}
    assert "queued" not in _stored(sqlite_url)
    assert group.run(_insert("later")) == _stored(sqlite_url)["later"]
