"""Named events that side effects (email, spam training) hang off, sent after a commit."""

from __future__ import annotations

from blinker import Namespace

_events = Namespace()

# sender: the Flask app; comment: the committed Comment.
comment_submitted = _events.signal("comment-submitted")
# sender: the Flask app; comment, old_state, new_state, actor (User or None).
# old_state is None for a comment created approved: the post author's reply from the moderation UI.
comment_state_changed = _events.signal("comment-state-changed")
