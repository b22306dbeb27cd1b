"""What an import will add, worked out from the file before the store or the site is touched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..store.models import Kind, State


class PortingError(Exception):
    """An import or export that cannot go on; the message says where and why."""


@dataclass
class ThreadPlan:
    """A post's thread, created when the store does not know the slug yet."""

    slug: str
    title: str = ""
    author: str = ""
    published: datetime | None = None
    closed: bool = False
    closed_by_metadata: bool = False


@dataclass
class CommentPlan:
    """One comment or linkback to add, keyed by where it came from."""

    # Where it came from and where it goes: the post, and the comment it answers, by their origins
    origin: str
    slug: str
    parent_origin: str | None
    kind: Kind
    state: State
    created: datetime
    # Who wrote it, from where
    author: str = ""
    email: str = ""
    website: str = ""
    by_post_author: bool = False
    # What it says, and the address and browser it was sent from
    body_source: str = ""
    body_format: str = "html"
    ip: str = ""
    user_agent: str = ""
    # A linkback's page
    source_url: str = ""
    title: str = ""
    blog_name: str = ""


@dataclass(frozen=True)
class FilePlan:
    """A content file to write into the site (a converted post or page)."""

    path: Path
    text: str
    what: str = "post"


@dataclass
class ImportPlan:
    """Everything one file brings: threads, comments in file order, and content files."""

    source: str
    threads: dict[str, ThreadPlan] = field(default_factory=dict)
    comments: list[CommentPlan] = field(default_factory=list)
    files: list[FilePlan] = field(default_factory=list)
