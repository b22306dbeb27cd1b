"""The learning filter's memory: token and document counts, and what each comment was learnt as."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from time import monotonic
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, Connection, Engine, bindparam, case, delete, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from .models import Comment, SpamCorpus, SpamToken

_CORPUS_ID = 1
# Built once and run as Core: the learning filter reads them for every comment it judges.
_CORPUS_SIZE = select(SpamCorpus.spam_docs, SpamCorpus.ham_docs).where(SpamCorpus.id == _CORPUS_ID)
_TOKEN_COUNTS = select(SpamToken.token, SpamToken.spam, SpamToken.ham).where(
    SpamToken.token.in_(bindparam("tokens", expanding=True))
)


# The filter asks for the corpus size on every comment, and it changes only when a moderator's
# verdict is learnt, so a process trusts the size it read for CORPUS_SIZE_MAX_AGE seconds. A change
# committed in this process is seen at once (the commit forgets every size read before it); one
# committed by another process is seen here within CORPUS_SIZE_MAX_AGE seconds, as if its verdict
# had come that much later. (The size and the token counts were never read as one snapshot.)
CORPUS_SIZE_MAX_AGE = 1.0


class _CorpusSizes:
    """The corpus size last read from each database, when it was read, and which change it came after."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changes = 0
        self._sizes: WeakKeyDictionary[Engine, tuple[int, float, tuple[int, int]]] = WeakKeyDictionary()

    def get(self, engine: Engine, read: Callable[[], tuple[int, int]]) -> tuple[int, int]:
        changes, now = self._changes, monotonic()
        known = self._sizes.get(engine)
        if known is not None and known[0] == changes and now - known[1] < CORPUS_SIZE_MAX_AGE:
            return known[2]
        size = read()
        # Stamped with the change count and time from before the read: a size read while this
        # process committed a change is not trusted after it.
        self._sizes[engine] = (changes, now, size)
        return size

    def forget(self, *_: object) -> None:
        with self._lock:
            self._changes += 1


_corpus_sizes = _CorpusSizes()


def corpus_changed(session: Session) -> None:
    """Note that session changes the corpus size: once it commits, this process reads the size afresh."""
    event.listen(session, "after_commit", _corpus_sizes.forget, once=True)


def _insert(session: Session) -> Callable[..., Any]:
    # Both backends speak INSERT … ON CONFLICT, which makes each increment atomic
    # even when two moderators' verdicts are learnt at once.
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def train(session: Session, token_set: Iterable[str], label: str) -> None:
    """Learn one comment as spam or ham; the caller commits."""
    spam, ham = (1, 0) if label == "spam" else (0, 1)
    rows = [{"token": token, "spam": spam, "ham": ham} for token in sorted(token_set)]
    insert = _insert(session)
    if rows:
        statement = insert(SpamToken).values(rows)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["token"],
                set_={"spam": SpamToken.spam + statement.excluded.spam, "ham": SpamToken.ham + statement.excluded.ham},
            )
        )
    corpus_changed(session)
    corpus = insert(SpamCorpus).values(id=_CORPUS_ID, spam_docs=spam, ham_docs=ham)
    session.execute(
        corpus.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "spam_docs": SpamCorpus.spam_docs + corpus.excluded.spam_docs,
                "ham_docs": SpamCorpus.ham_docs + corpus.excluded.ham_docs,
            },
        )
    )


def _decrement(column: InstrumentedAttribute[int]) -> ColumnElement[int]:
    return case((column > 0, column - 1), else_=0)


def untrain(session: Session, token_set: Iterable[str], label: str) -> None:
    """Forget one comment learnt as spam or ham; the caller commits."""
    token_list = sorted(token_set)
    token_column, docs_column = (
        (SpamToken.spam, SpamCorpus.spam_docs) if label == "spam" else (SpamToken.ham, SpamCorpus.ham_docs)
    )
    session.execute(
        update(SpamToken).where(SpamToken.token.in_(token_list)).values({token_column: _decrement(token_column)})
    )
    session.execute(delete(SpamToken).where(SpamToken.token.in_(token_list), SpamToken.spam == 0, SpamToken.ham == 0))
    corpus_changed(session)
    session.execute(
        update(SpamCorpus).where(SpamCorpus.id == _CORPUS_ID).values({docs_column: _decrement(docs_column)})
    )


def claim_training(session: Session, comment_id: int, previous: str, label: str) -> bool:
    """Mark a comment learnt as label if it is still learnt as previous; tell whether this claim won."""
    claimed = session.execute(
        update(Comment).where(Comment.id == comment_id, Comment.trained_as == previous).values(trained_as=label)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def corpus_size(connection: Connection) -> tuple[int, int]:
    """Return how many spam and ham comments the filter has learnt (read at most CORPUS_SIZE_MAX_AGE ago)."""

    def read() -> tuple[int, int]:
        row = connection.execute(_CORPUS_SIZE).first()
        return (row.spam_docs, row.ham_docs) if row else (0, 0)

    return _corpus_sizes.get(connection.engine, read)


def token_counts(connection: Connection, token_set: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Return the spam and ham counts of those tokens the filter has seen."""
    rows = connection.execute(_TOKEN_COUNTS, {"tokens": sorted(token_set)})
    return {token: (spam, ham) for token, spam, ham in rows}
