"""The audit log: who did what to which comment, thread or account, and when."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from ..store.models import AuditEntry, Comment, User

# Named in the log when a change comes without a logged-in account.
COMMAND_LINE = "(command line)"
SYSTEM = "(system)"


def record(
    session: Session,
    actor: User | None,
    action: str,
    comment: Comment | None = None,
    thread_slug: str = "",
    anonymous_as: str = SYSTEM,
    **detail: Any,
) -> AuditEntry:
    """Add an entry for an action, in the transaction that makes the change."""
    entry = AuditEntry(
        user_id=actor.id if actor else None,
        username=actor.username if actor else anonymous_as,
        action=action,
        comment_id=comment.id if comment else None,
        thread_slug=thread_slug or (comment.thread.slug if comment else ""),
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else "",
    )
    session.add(entry)
    return entry


def detail_of(entry: AuditEntry) -> dict[str, Any]:
    """Return an entry's detail as a dict (empty when it has none)."""
    loaded: dict[str, Any] = json.loads(entry.detail) if entry.detail else {}
    return loaded
