"""Read every record of the store in a stable order, for Kiln's own export format."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEntry, Comment, SentLinkback, SpamCorpus, SpamToken, Thread, User


class ExportRows(NamedTuple):
    """The store's records as an export lists them: each table in its order, comments' thread slugs by id."""

    slugs: dict[int, str]
    threads: list[Thread]
    comments: list[Comment]
    users: list[User]
    audit: list[AuditEntry]
    sent: list[SentLinkback]
    corpus: SpamCorpus | None
    tokens: list[tuple[str, int, int]]


def export_rows(session: Session) -> ExportRows:
    """Return the records an export holds (no sessions, mail or queues), each table in a stable order."""
    slugs = {row.id: row.slug for row in session.execute(select(Thread.id, Thread.slug))}
    threads = session.scalars(select(Thread).order_by(Thread.slug))
    comments = session.scalars(select(Comment).order_by(Comment.id))
    users = session.scalars(select(User).order_by(User.username))
    audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    sent = session.scalars(select(SentLinkback).order_by(SentLinkback.thread_slug, SentLinkback.target_url))
    corpus = session.scalar(select(SpamCorpus).order_by(SpamCorpus.id).limit(1))
    tokens = session.execute(select(SpamToken.token, SpamToken.spam, SpamToken.ham).order_by(SpamToken.token))
    return ExportRows(
        slugs,
        list(threads),
        list(comments),
        list(users),
        list(audit),
        list(sent),
        corpus,
        [(token, spam, ham) for token, spam, ham in tokens],
    )
