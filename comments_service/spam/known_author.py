"""Known authors: a name and email pair with an approved comment is published at once (optional)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from ..language.speaking import N_
from ..store.spam_history import has_approved_comment
from .reasons import Reason
from .verdict import Action, Candidate, Verdict


def check(candidate: Candidate, connection: Connection, config: Mapping[str, Any]) -> Verdict | None:
    """Approve a comment by someone whose earlier comment, same name and email, was approved."""
    # Without an email the name alone would let anyone borrow a regular's standing.
    if not config["APPROVE_KNOWN_AUTHORS"] or not candidate.comment.email:
        return None
    if has_approved_comment(connection, candidate.comment.author, candidate.comment.email):
        return Verdict(Action.APPROVE, Reason(N_("the author has an approved comment")))
    return None
