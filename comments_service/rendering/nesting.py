"""Nest a thread's entries under the ones they reply to, for pages and for the moderators' view alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar


class Reply(Protocol):
    """What nesting reads of an entry: a stored comment or a plain row of one."""

    @property
    def id(self) -> int: ...
    @property
    def parent_id(self) -> int | None: ...


R = TypeVar("R", bound=Reply)
N = TypeVar("N")
# Builds an entry's node from the entry, its depth (1 at the top) and its replies' nodes; None leaves it out.
Grow = Callable[[R, int, list[N]], N | None]


def nest(entries: Sequence[R], grow: Grow[R, N]) -> list[N]:
    """Arrange entries (already in order) under their parents, as grow builds them; orphans go to the top level."""
    known = {e.id for e in entries}
    children: dict[int | None, list[R]] = defaultdict(list)
    for entry in entries:
        children[entry.parent_id if entry.parent_id in known else None].append(entry)
    return _grown(children.get(None, []), 1, children, grow)


# A function of the module, not a closure calling itself: such a closure is a reference
# cycle, which kept every row of the thread alive after a bake until the collector ran.
def _grown(entries: list[R], depth: int, children: dict[int | None, list[R]], grow: Grow[R, N]) -> list[N]:
    nodes = []
    for entry in entries:
        node = grow(entry, depth, _grown(children.get(entry.id, []), depth + 1, children, grow))
        if node is not None:
            nodes.append(node)
    return nodes
