"""Teach the learning filter from moderators: approved is ham, spam is spam, a reversal un-teaches."""

from __future__ import annotations

import logging

from flask import Flask

from ..store.comments import get_comment
from ..store.database import database
from ..store.models import Comment, State, User
from ..store.spam_tokens import claim_training, train, untrain
from .training import stored_comment_tokens

log = logging.getLogger(__name__)

LABEL_OF = {State.APPROVED: "ham", State.SPAM: "spam"}


def learn_from_verdict(
    sender: Flask, comment: Comment, old_state: State, new_state: State, actor: User | None = None
) -> None:
    """Receive comment_state_changed: train on approve or spam, and forget the verdict it replaces."""
    label = LABEL_OF.get(new_state)
    # Deleting or re-queueing says nothing about spam, so what was learnt stays.
    if label is None:
        return
    with database(sender.config["DATABASE_URL"]).transaction() as session:
        stored = get_comment(session, comment.id)
        if stored is None or stored.trained_as == label:
            return
        previous = stored.trained_as
        # Claim the change first: of two workers learning the same verdict, one wins.
        if not claim_training(session, stored.id, previous, label):
            return
        token_set = stored_comment_tokens(stored)
        if previous:
            untrain(session, token_set, previous)
        train(session, token_set, label)
    log.info("spam filter: learnt comment %s as %s%s", comment.id, label, f" (was {previous})" if previous else "")
