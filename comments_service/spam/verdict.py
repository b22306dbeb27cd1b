"""What a spam check looks at (a Candidate) and what it answers (a Verdict)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from ..store.comments import NewCommentRecord
from .reasons import Reason


class Action(enum.StrEnum):
    """What should happen to a submission, from mildest to harshest."""

    APPROVE = "approve"
    PENDING = "pending"
    SPAM = "spam"
    REJECT = "reject"


@dataclass(frozen=True)
class Verdict:
    """One check's answer: an action, the reason a moderator (or, for reject, the sender) sees."""

    action: Action
    # Translated when shown: into the sender's language for a rejection, each moderator's in the queue.
    reason: Reason | None
    # Only for REJECT: the HTTP status and headers the sender gets; nothing is stored.
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A validated submission on its way into the store: the comment as it will be stored, and what only checks see."""

    comment: NewCommentRecord
    honeypot: str = ""
    by_moderator: bool = False


# Every check has this shape; it returns None when it has no opinion.
Check = Callable[[Candidate, Connection, Mapping[str, Any]], Verdict | None]


def setting_list(value: object) -> list[str]:
    """Read a list setting given as a list or as text with one entry per line or comma."""
    items = value if isinstance(value, list | tuple) else str(value or "").replace(",", "\n").splitlines()
    return [str(item).strip() for item in items if str(item).strip()]
