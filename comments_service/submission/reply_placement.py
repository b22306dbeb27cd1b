"""Where a reply attaches: its parent, or the deepest ancestor the depth limit allows."""

from __future__ import annotations

from ..store.ancestry import Ancestor
from ..store.models import State


def replyable(chain: list[Ancestor], thread_id: int) -> bool:
    """Tell whether the last comment of chain takes replies on this thread: it is there and published."""
    return bool(chain) and chain[-1].thread_id == thread_id and chain[-1].state == State.APPROVED


def attach_point(chain: list[Ancestor], max_depth: int) -> int | None:
    """Return the id of the comment a reply to the last of chain hangs under; None means the top level."""
    # A reply sits one level below its parent; past the limit it joins the
    # deepest level allowed, as a sibling instead of a child.
    index = min(len(chain), max_depth - 1) - 1
    return chain[index].id if index >= 0 else None
