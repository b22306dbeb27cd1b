"""Nest a thread's entries in every state, for the moderators' view of a thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..rendering import nesting
from ..store.models import Comment


@dataclass
class Node:
    """One entry with its replies, whatever their states."""

    comment: Comment
    depth: int
    children: list[Node] = field(default_factory=list)


def nest(comments: Sequence[Comment]) -> list[Node]:
    """Arrange entries (already in order) under their parents; orphans go to the top level."""
    return nesting.nest(comments, Node)
