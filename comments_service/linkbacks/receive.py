"""Keep a verified linkback: hold it for moderation, refuse duplicates, update or remove webmentions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..baking.unit_of_work import UnitOfWork, publish
from ..language.speaking import N_
from ..moderation.actions import BACK_TO_PENDING, moderate, stage
from ..spam.reasons import Reason, store_reasons
from ..store.comments import NewCommentRecord, add_comment
from ..store.linkback_records import find_linkback, linkback_key
from ..store.models import Comment, Kind, State, Thread, utcnow
from ..text.sanitize import text_to_html
from .fetcher import Policy
from .text import EXCERPT_MAX, NAME_MAX, TITLE_MAX, plain_text
from .verify import Outcome, Verification

# Set on a webmention removed because its source dropped the link, so a later mention may bring it back;
# one a moderator deleted stays deleted.
# Stored as spam checks store their reasons, so moderators read it in their own language.
REMOVED_BY_SOURCE = store_reasons([Reason(N_("the source no longer links to the post"))])
# What rows removed before reasons were stored that way hold.
_REMOVED_BEFORE = "the source no longer links to the post"


@dataclass(frozen=True)
class Answer:
    """What an endpoint tells the sender: an HTTP status, a message and any field errors."""

    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)


class Duplicate(Exception):
    """This post already has a linkback from that source."""


@dataclass(frozen=True)
class Sender:
    """Who sent a ping and what the receiving service knows: its site's base URL and fetch policy."""

    site_base: str
    policy: Policy
    ip: str
    user_agent: str


@dataclass(frozen=True)
class Mention:
    """A verified linkback ready to store: plain-text title, excerpt and site name."""

    kind: Kind
    source_url: str
    title: str
    excerpt: str
    site_name: str


def mention_from(kind: Kind, source_url: str, found: Verification, **given: str) -> Mention:
    """Combine what the sender said (TrackBack's fields) with what the source page shows, as plain text."""
    return Mention(
        kind=kind,
        source_url=source_url,
        title=plain_text(given.get("title") or found.title, TITLE_MAX),
        excerpt=plain_text(given.get("excerpt") or found.excerpt, EXCERPT_MAX),
        site_name=plain_text(given.get("blog_name") or found.site_name, NAME_MAX),
    )


def _fields(mention: Mention) -> dict[str, Any]:
    return {
        "title": mention.title,
        "blog_name": mention.site_name,
        "author": mention.site_name,
        "body_source": mention.excerpt,
        "body_format": "text",
        "body_html": text_to_html(mention.excerpt),
    }


def hold(session: Session, thread: Thread, mention: Mention, sender: Sender) -> Comment:
    """Store a new linkback as pending and announce it; raise Duplicate if the source already linked back."""
    if find_linkback(session, thread, mention.source_url) is not None:
        raise Duplicate(mention.source_url)
    work = UnitOfWork(session)
    try:
        comment = add_comment(
            session,
            NewCommentRecord(
                thread_id=thread.id,
                kind=mention.kind,
                state=State.PENDING,
                source_url=mention.source_url,
                # Unique in the store, so two racing pings from one source cannot both be kept.
                dedupe_key=linkback_key(thread, mention.source_url),
                ip=sender.ip[:45],
                user_agent=sender.user_agent[:500],
                **_fields(mention),
            ),
        )
        work.submitted(comment)
        committed = work.save()
    except IntegrityError as error:
        session.rollback()
        raise Duplicate(mention.source_url) from error
    publish(committed)
    return comment


def apply_webmention(session: Session, thread: Thread, source: str, found: Verification, sender: Sender) -> str:
    """Create, update or remove the mention from source to match what the source shows now; say which."""
    existing = find_linkback(session, thread, source)
    if found.outcome in (Outcome.GONE, Outcome.NO_LINK):
        if existing is None or existing.state not in (State.PENDING, State.APPROVED):
            return "nothing to remove"
        existing.verdict_reason = REMOVED_BY_SOURCE
        moderate(session, existing, "delete", None)
        return "removed"
    if found.outcome is not Outcome.LINKS:
        return "not verified"
    mention = mention_from(Kind.WEBMENTION, source, found)
    if existing is None:
        try:
            hold(session, thread, mention, sender)
        except Duplicate:
            return "duplicate"
        return "held for moderation"
    if existing.state == State.SPAM or (
        existing.state == State.DELETED and existing.verdict_reason not in (REMOVED_BY_SOURCE, _REMOVED_BEFORE)
    ):
        return "ignored"
    return _update(session, existing, mention)


def _update(session: Session, comment: Comment, mention: Mention) -> str:
    """Refresh a known mention; changed content goes back to moderation, so approval covers what is shown."""
    fields = _fields(mention)
    work = UnitOfWork(session)
    comment.updated = utcnow()
    if comment.state != State.DELETED and all(getattr(comment, k) == v for k, v in fields.items()):
        work.commit()
        return "unchanged"
    for name, value in fields.items():
        setattr(comment, name, value)
    comment.verdict_reason = ""
    stage(work, comment, BACK_TO_PENDING, reason="the source changed")
    work.commit()
    return "updated"
