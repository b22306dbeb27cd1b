"""Duplicates: the same comment (post, parent, author, email and body) is stored once."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from ..language.speaking import N_
from ..store.spam_history import dedupe_key_taken
from .reasons import Reason
from .verdict import Action, Candidate, Verdict

REJECTION = Verdict(Action.REJECT, Reason(N_("This comment was already received.")), status=409)


def _same(text: str) -> str:
    # Case, Unicode form and runs of white space do not make a comment new.
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def dedupe_key(candidate: Candidate) -> str:
    """Return the hash that the unique comments.dedupe_key column holds for this submission."""
    comment = candidate.comment
    parts = [comment.thread_id, comment.parent_id, _same(comment.author), _same(comment.email)]
    parts.append(" ".join(unicodedata.normalize("NFC", comment.body_source).split()))
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def check(candidate: Candidate, connection: Connection, config: Mapping[str, Any]) -> Verdict | None:
    """Refuse with 409 a comment that is already stored (the pipeline asks only when a later check rejects)."""
    return REJECTION if dedupe_key_taken(connection, dedupe_key(candidate)) else None
