"""Group commit: the short write transactions of many threads reach SQLite as one, with one flush to disk."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")
# What a write holds until its group is committed or has failed.
_UNANSWERED = object()


@dataclass(eq=False)
class _Write:
    work: Callable[[Connection], Any]
    done: threading.Event = field(default_factory=threading.Event)
    # Set when the thread is woken to commit the next group rather than with its answer.
    lead: bool = False
    result: Any = _UNANSWERED
    error: BaseException | None = None


class GroupCommit:
    """Commits each caller's writes together with those of the callers that came while the last group committed.

    SQLite commits one transaction at a time and waits for the disk at each commit, so a
    caller that finds a commit under way queues its writes; the writes that gathered meanwhile
    are then run and committed as one transaction, by one of their threads, and each caller
    gets its own answer. A group that fails is rolled back and its writes are tried again one
    by one, so only the write at fault fails (a duplicate comment, say). A caller must not hold
    a write transaction of its own on the database meanwhile: it may commit the group itself.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._queued: list[_Write] = []
        self._leading = False

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run work(connection) in a transaction, commit it, and return what work returned (or raise what it raised)."""
        write = _Write(work)
        with self._lock:
            self._queued.append(write)
            write.lead = not self._leading
            self._leading = True
        if not write.lead:
            write.done.wait()
        if write.lead:
            self._lead()
        if write.error is not None:
            raise write.error
        result: T = write.result
        return result

    def _lead(self) -> None:
        with self._lock:
            group, self._queued = self._queued, []
        try:
            self._commit(group)
        finally:
            for write in group:
                if write.result is _UNANSWERED and write.error is None:
                    write.error = RuntimeError("the group commit was interrupted")
            with self._lock:
                successor = self._queued[0] if self._queued else None
                self._leading = successor is not None
                if successor is not None:
                    successor.lead = True
            for write in group:
                write.done.set()
            if successor is not None:
                successor.done.set()

    def _commit(self, group: list[_Write]) -> None:
        try:
            with self._engine.begin() as connection:
                results = [write.work(connection) for write in group]
        except Exception as error:
            if len(group) == 1:
                group[0].error = error
                return
            for write in group:
                self._commit([write])
            return
        for write, result in zip(group, results, strict=True):
            write.result = result
