"""Hang email off the comment events: queue it after the change commits, and wake the sender."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..events import CommentFacts, comment_state_changed, comment_submitted
from ..store.comments import get_comment
from ..store.database import database
from ..store.models import Comment, State
from .mailconf import mail_enabled
from .messages import queue_moderator_mail, queue_reply_mail
from .sender import wake_sender

log = logging.getLogger(__name__)


def on_comment_submitted(app: Flask, comment: CommentFacts, **_: object) -> None:
    """Tell the moderators about a comment that awaits moderation, or a subscriber about a reply published at once."""
    if comment.state == State.PENDING:
        _queue(app, comment.id, queue_moderator_mail)
    elif comment.state == State.APPROVED and comment.parent_id is not None:
        # Published without moderation (moderation off, or a known author): no approval will follow.
        _queue(app, comment.id, queue_reply_mail)


def on_comment_state_changed(app: Flask, comment: Comment, old_state: State, new_state: State, **_: object) -> None:
    """Tell a subscriber when a reply to their comment has just been approved."""
    if new_state == State.APPROVED and old_state != State.APPROVED and comment.parent_id is not None:
        _queue(app, comment.id, queue_reply_mail)


def _queue(app: Flask, comment_id: int, write: Callable[[Flask, Session, Comment], object]) -> None:
    if not mail_enabled(app.config):
        return
    try:
        with database(app.config["DATABASE_URL"]).transaction() as session:
            comment = get_comment(session, comment_id)
            queued = comment is not None and write(app, session, comment)
    except SQLAlchemyError:
        # The comment is already stored; losing its email must not turn its acceptance into an error.
        log.exception("kiln: could not queue email about comment %d", comment_id)
        return
    if queued:
        wake_sender(app)


def connect(app: Flask) -> None:
    """Listen to this app's comment events."""
    comment_submitted.connect(on_comment_submitted, sender=app)
    comment_state_changed.connect(on_comment_state_changed, sender=app)
