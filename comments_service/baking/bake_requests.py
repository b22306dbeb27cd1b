"""Ask for a post to be re-baked as part of the transaction that changed its comments."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..store.bake_jobs import enqueue

_PENDING_KEY = "kiln_bake_slugs"


def request_bake(session: Session, slug: str) -> None:
    """Queue slug's pages for a bake in this session's transaction, so the request commits with the change."""
    enqueue(session.connection(), slug)
    session.info.setdefault(_PENDING_KEY, set()).add(slug)


def pending_bakes(session: Session) -> set[str]:
    """Return, and forget, the slugs requested in the transaction that just committed."""
    slugs: set[str] = session.info.pop(_PENDING_KEY, set())
    return slugs


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: object) -> None:
    session.info.pop(_PENDING_KEY, None)
