"""Named events that side effects (email, spam training) hang off, sent after a commit."""

from __future__ import annotations

from typing import Protocol

from blinker import Namespace

from .store.models import State

_events = Namespace()


class CommentFacts(Protocol):
    """What a comment_submitted receiver may read: a Comment, or a reader's new comment as stored."""

    @property
    def id(self) -> int:
        """Return the comment's id."""

    @property
    def state(self) -> State:
        """Return the comment's moderation state."""

    @property
    def parent_id(self) -> int | None:
        """Return the id of the comment it replies to."""


# sender: the Flask app; comment: CommentFacts of the committed comment (receivers load more by id).
comment_submitted = _events.signal("comment-submitted")
# sender: the Flask app; comment, old_state, new_state, actor (User or None).
# old_state is None for a comment created approved: the post author's reply from the moderation UI.
comment_state_changed = _events.signal("comment-state-changed")
