"""Named queries on the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEntry


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
