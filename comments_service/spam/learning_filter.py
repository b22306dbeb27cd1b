"""The learning filter as a check: once trained enough, a high naive Bayes score means spam."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from ..language.speaking import N_
from ..store.spam_tokens import corpus_size, token_counts
from .bayes import spam_probability
from .reasons import Reason
from .training import comment_tokens
from .verdict import Action, Candidate, Verdict


def check(candidate: Candidate, connection: Connection, config: Mapping[str, Any]) -> Verdict | None:
    """Score the comment against what moderators taught; spam above SPAM_FILTER_SPAM_AT."""
    spam_docs, ham_docs = corpus_size(connection)
    if min(spam_docs, ham_docs) < int(config["SPAM_FILTER_MIN_TRAINING"]):
        return None
    comment = candidate.comment
    token_set = comment_tokens(comment.author, comment.website, comment.body_source, comment.body_html)
    score, clues = spam_probability(token_counts(connection, token_set), spam_docs, ham_docs)
    if score >= float(config["SPAM_FILTER_SPAM_AT"]):
        words = ", ".join(token for token, p in clues[:3] if p > 0.5)
        # Translators: words are the filter's tokens ("url:example.com"), shown as they are.
        found = Reason(N_("learning filter scores %(score)s (%(words)s)"), {"score": round(score, 2), "words": words})
        return Verdict(Action.SPAM, found)
    if score >= float(config["SPAM_FILTER_HOLD_AT"]):
        return Verdict(Action.PENDING, Reason(N_("learning filter unsure (%(score)s)"), {"score": round(score, 2)}))
    return None
