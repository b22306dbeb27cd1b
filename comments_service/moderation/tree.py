"""Nest a thread's entries in every state, for the moderators' view of a thread."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..store.models import Comment


@dataclass
class Node:
    """One entry with its replies, whatever their states."""

    comment: Comment
    depth: int
    children: list[Node] = field(default_factory=list)


def nest(comments: Sequence[Comment]) -> list[Node]:
    """Arrange entries (already in order) under their parents; orphans go to the top level."""
    known = {c.id for c in comments}
    children: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in comments:
        children[comment.parent_id if comment.parent_id in known else None].append(comment)

    def grow(comment: Comment, depth: int) -> Node:
        return Node(comment, depth, [grow(child, depth + 1) for child in children[comment.id]])

    return [grow(top, 1) for top in children[None]]
