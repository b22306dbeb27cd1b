"""The comment store's tables: threads, comments, linkbacks and accounts."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Normalise to naive UTC, which every backend stores the same way."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach the UTC zone that was stripped on the way in."""
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base for every Kiln table."""

    # Named constraints, so later migrations can alter them on every backend.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class State(enum.StrEnum):
    """Moderation state of a comment or linkback."""

    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    DELETED = "deleted"


class Kind(enum.StrEnum):
    """What sort of entry a comment row is."""

    COMMENT = "comment"
    TRACKBACK = "trackback"
    PINGBACK = "pingback"
    WEBMENTION = "webmention"


class Role(enum.StrEnum):
    """What an account may do."""

    ADMIN = "admin"
    MODERATOR = "moderator"
    AUTHOR = "author"


def _enum(cls: type[enum.StrEnum]) -> Enum:
    # Stored as plain strings so SQLite and PostgreSQL hold the same values
    # and a new member needs no ALTER TYPE.
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Thread(Base):
    """One post's comment thread, keyed by the post's slug."""

    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    published: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Closed by a moderator in the service; the post's metadata can close it too.
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_by_metadata: Mapped[bool] = mapped_column(Boolean, default=False)
    # The post's Lang (a BCP 47 tag); empty for the site's DEFAULT_LANG. Its pages' chrome speaks it.
    language: Mapped[str] = mapped_column(String(35), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    comments: Mapped[list[Comment]] = relationship(back_populates="thread")

    @property
    def closed_explicitly(self) -> bool:
        """Tell whether a moderator or the post's metadata closed the thread (see closing.py for age)."""
        return self.closed or self.closed_by_metadata


class Comment(Base):
    """A reader comment, an author reply or a received linkback."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_thread_state", "thread_id", "state"),
        Index("ix_comments_state_id", "state", "id"),
        # The site's comment feed: the latest approved comments without sorting them all.
        Index("ix_comments_state_created", "state", "created", "id"),
        Index("ix_comments_author_email_state", "author", "email", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[Kind] = mapped_column(_enum(Kind), default=Kind.COMMENT)
    state: Mapped[State] = mapped_column(_enum(State), default=State.PENDING)
    author: Mapped[str] = mapped_column(String(245), default="")
    email: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_format: Mapped[str] = mapped_column(String(10), default="markdown")
    body_html: Mapped[str] = mapped_column(Text, default="")
    by_post_author: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_replies: Mapped[bool] = mapped_column(Boolean, default=False)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(500), default="")
    # Linkbacks: where the mention came from and what it said.
    source_url: Mapped[str] = mapped_column(String(2000), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    blog_name: Mapped[str] = mapped_column(String(245), default="")
    # Why the spam pipeline (or a moderator) put it in its state, shown in the queue.
    verdict_reason: Mapped[str] = mapped_column(String(500), default="")
    # Where an imported entry came from (e.g. "wxr:<post id>:<comment id>"), so re-imports add nothing twice.
    origin: Mapped[str | None] = mapped_column(String(300), nullable=True, unique=True)
    # Hash of (thread, parent, author, email, body): a second identical submission is a duplicate.
    dedupe_key: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # What the learning filter was taught from this comment ("spam", "ham" or ""), so a reversed verdict un-teaches it.
    trained_as: Mapped[str] = mapped_column(String(4), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    thread: Mapped[Thread] = relationship(back_populates="comments")


class User(Base):
    """An account that can moderate."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # Where moderation mail goes; empty means the account gets none.
    email: Mapped[str] = mapped_column(String(320), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MODERATOR)
    # The language of the moderation pages and mail for this account; empty: the browser's (Accept-Language).
    language: Mapped[str] = mapped_column(String(35), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """One moderation or administration action: who did what to which comment, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # Kept as text too, so the log still names the actor after an account is removed.
    username: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(40))
    comment_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    thread_slug: Mapped[str] = mapped_column(String(200), default="")
    # JSON text: e.g. the original body of an edited comment.
    detail: Mapped[str] = mapped_column(Text, default="")


class AuthSession(Base):
    """A logged-in browser session, revocable on the server."""

    __tablename__ = "auth_sessions"

    # SHA-256 of the random token in the signed cookie; the token itself is never stored.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoginFailure(Base):
    """A failed login, counted per account and per address to throttle guessing."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_at", "username", "at"),
        Index("ix_login_failures_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxMessage(Base):
    """An email waiting to be sent (or sent), so sending never blocks or fails a request."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Reply notifications carry a one-click unsubscribe link (RFC 8058) in their headers.
    unsubscribe_url: Mapped[str] = mapped_column(String(2000), default="")


class BakeJob(Base):
    """A post whose pages must be re-baked; one row per post, so repeated requests coalesce."""

    __tablename__ = "bake_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    # Bumped by every new request; a worker deletes the row only if it baked the latest version.
    version: Mapped[int] = mapped_column(Integer, default=1)
    requested: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # After a failed bake, not before this time (None: due now); a new request makes it due at once.
    next_attempt: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, default=None)


class PendingWebmention(Base):
    """A webmention answered 202 and not yet verified; repeated mentions of one source and target share a row."""

    __tablename__ = "pending_webmentions"
    __table_args__ = (Index("ix_pending_webmentions_due", "next_attempt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A hash of source and target: the two URLs together are too long for one index entry on PostgreSQL.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(2000))
    target: Mapped[str] = mapped_column(String(2000))
    thread_slug: Mapped[str] = mapped_column(String(200))
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(500), default="")
    received: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set while one worker verifies the row; a worker that dies mid-verification lets it expire.
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


class SpamToken(Base):
    """How often a token appeared in comments moderators called spam and in ones they approved."""

    __tablename__ = "spam_tokens"

    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    spam: Mapped[int] = mapped_column(Integer, default=0)
    ham: Mapped[int] = mapped_column(Integer, default=0)


class SpamCorpus(Base):
    """How many spam and ham comments the learning filter has been trained on (a single row)."""

    __tablename__ = "spam_corpus"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spam_docs: Mapped[int] = mapped_column(Integer, default=0)
    ham_docs: Mapped[int] = mapped_column(Integer, default=0)


class SentLinkback(Base):
    """A linkback Kiln sent (or tried to send) from one of its posts to a page it links to."""

    __tablename__ = "sent_linkbacks"
    __table_args__ = (UniqueConstraint("thread_slug", "target_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_slug: Mapped[str] = mapped_column(String(200))
    target_url: Mapped[str] = mapped_column(String(2000))
    protocol: Mapped[str] = mapped_column(String(20), default="")
    endpoint: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
