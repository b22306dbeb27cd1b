"""The audit log: who did what to which comment, thread or account, and when; its entries and named queries."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEntry, Comment, User

# Named in the log when a change comes without a logged-in account.
COMMAND_LINE = "(command line)"
SYSTEM = "(system)"
# A reader changing their own comment (within the edit window).
READER = "(reader)"


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


def entries(
    session: Session, before: int | None = None, comment_id: int | None = None, limit: int = 100
) -> list[AuditEntry]:
    """Return audit entries newest first, a page at a time (keyset on id)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if comment_id is not None:
        query = query.where(AuditEntry.comment_id == comment_id)
    return list(session.scalars(query))
