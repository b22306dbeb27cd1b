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
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    comments: Mapped[list[Comment]] = relationship(back_populates="thread")

    @property
    def is_closed(self) -> bool:
        """Tell whether new comments are refused."""
        return self.closed or self.closed_by_metadata


class Comment(Base):
    """A reader comment, an author reply or a received linkback."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_thread_state", "thread_id", "state"),
        Index("ix_comments_state_id", "state", "id"),
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
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MODERATOR)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
