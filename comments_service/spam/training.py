"""The learning filter's memory: token counts in spam_tokens and document counts in spam_corpus."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..models import Comment, SpamCorpus, SpamToken
from .bayes import tokens
from .links import links_in

LABELS = ("spam", "ham")
_CORPUS_ID = 1
# Built once and run as Core: the learning filter asks both of every comment.
_CORPUS_SIZE = select(SpamCorpus.spam_docs, SpamCorpus.ham_docs).where(SpamCorpus.id == _CORPUS_ID)
_TOKEN_COUNTS = select(SpamToken.token, SpamToken.spam, SpamToken.ham).where(
    SpamToken.token.in_(bindparam("tokens", expanding=True))
)


def comment_tokens(author: str, website: str, body: str, body_html: str) -> set[str]:
    """Return the tokens the filter learns from and scores a comment by."""
    return tokens(author, website, body, links_in(body_html))


def stored_comment_tokens(comment: Comment) -> set[str]:
    """Return the tokens of a stored comment (a linkback's source counts as its website)."""
    return comment_tokens(comment.author, comment.website or comment.source_url, comment.body_source, comment.body_html)


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
    session.execute(
        update(SpamCorpus).where(SpamCorpus.id == _CORPUS_ID).values({docs_column: _decrement(docs_column)})
    )


def corpus_size(session: Session) -> tuple[int, int]:
    """Return how many spam and ham comments the filter has learnt."""
    row = session.connection().execute(_CORPUS_SIZE).first()
    return (row.spam_docs, row.ham_docs) if row else (0, 0)


def token_counts(session: Session, token_set: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Return the spam and ham counts of those tokens the filter has seen."""
    rows = session.connection().execute(_TOKEN_COUNTS, {"tokens": sorted(token_set)})
    return {token: (spam, ham) for token, spam, ham in rows}
