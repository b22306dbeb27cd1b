"""One unit of work: a change to comments committed, then baked, then announced, or on rollback none of it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..appctx import this_app
from ..events import CommentFacts, comment_state_changed, comment_submitted
from ..store.bake_jobs import request_bake, requested_bakes
from ..store.models import Comment, State, User
from .trigger import bake_queued


@dataclass(frozen=True)
class Change:
    """A comment's move between states; old_state is None for a comment created approved."""

    comment: Comment
    old_state: State | None
    new_state: State


@dataclass(frozen=True)
class Committed:
    """What a committed transaction leaves to do: wake the bakes it queued, then announce its comments."""

    baked: bool
    changes: tuple[Change, ...] = ()
    submitted: tuple[CommentFacts, ...] = ()
    actor: User | None = None


def publish(committed: Committed, urgent: bool = True, wait: bool = True) -> bool:
    """Bake, then announce, what a transaction committed; tell whether its bakes are on disk.

    urgent starts a bake pass at once (otherwise the worker may batch it with others); wait
    returns once the pass is on disk (bounded by BAKE_WAIT_SECONDS), so receivers hear of a
    change once its page shows it (an email's link leads to what it announces).
    """
    on_disk = bake_queued(urgent=urgent, wait=wait) if committed.baked else True
    app = this_app()
    for change in committed.changes:
        if change.old_state != change.new_state:
            comment_state_changed.send(
                app,
                comment=change.comment,
                old_state=change.old_state,
                new_state=change.new_state,
                actor=committed.actor,
            )
    for comment in committed.submitted:
        comment_submitted.send(app, comment=comment)
    return on_disk


class UnitOfWork:
    """Collect, in one session's transaction, the posts to bake and the comments to announce; commit() does the rest.

    Each bake request is queued in the transaction, so it commits, or rolls back, with the
    change. Nothing is baked or announced unless the commit succeeds. A unit serves one
    transaction: make a new one for the next.
    """

    def __init__(self, session: Session, actor: User | None = None) -> None:
        self.session = session
        self.actor = actor
        self._changes: list[Change] = []
        self._submitted: list[CommentFacts] = []

    def bake(self, slug: str) -> None:
        """Queue a bake of post slug with the change."""
        request_bake(self.session, slug)

    def moved(self, comment: Comment, old_state: State | None) -> None:
        """Bake the comment's post and, once committed, announce its move from old_state to its state now."""
        self.bake(comment.thread.slug)
        self._changes.append(Change(comment, old_state, comment.state))

    def submitted(self, comment: CommentFacts) -> None:
        """Announce a new comment (comment_submitted) once committed."""
        self._submitted.append(comment)

    def save(self) -> Committed:
        """Commit, and return what is left to do (publish does it); if the commit fails, forget it all."""
        changes, submitted = tuple(self._changes), tuple(self._submitted)
        self._changes, self._submitted = [], []
        self.session.commit()
        return Committed(bool(requested_bakes(self.session)), changes, submitted, self.actor)

    def commit(self) -> bool:
        """Commit, bake the posts queued with the change, announce its comments; tell whether the bakes are on disk."""
        return publish(self.save())
