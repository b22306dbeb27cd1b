"""A reader's own changes to their comment: while the window is open and nobody has answered it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ..baking.unit_of_work import UnitOfWork
from ..language.speaking import gettext as _
from ..spam import duplicate
from ..spam.pipeline import judge
from ..spam.verdict import Action, Candidate, Verdict
from ..store.audit_log import READER, record
from ..store.comments import NewCommentRecord, get_comment, has_replies, set_state
from ..store.models import Comment, Kind, State, utcnow
from ..text.sanitize import markdown_to_html

# An edit is not a new comment: its own earlier text and its writer's last post are no reason to refuse it.
_NOT_FOR_EDITS = {"flood", "duplicate"}
_STATE_OF = {Action.APPROVE: State.APPROVED, Action.PENDING: State.PENDING, Action.SPAM: State.SPAM}
# The states in which a reader may still change their comment (spam looks pending to its writer).
_CHANGEABLE = (State.PENDING, State.APPROVED, State.SPAM)


class NotEditable(Exception):
    """The reader may not change this comment (any more); the message says why, the status how to answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class EditRefused:
    """The spam pipeline refused the edited text: the verdict's message and status go back to the reader."""

    verdict: Verdict


def edit_deadline(comment: Comment, minutes: int) -> datetime:
    """Return until when its writer may change a comment."""
    return comment.created + timedelta(minutes=minutes)


def editable_comment(session: Session, comment_id: int, slug: str, owned: Mapping[int, float], minutes: int) -> Comment:
    """Return the reader's comment if they may change it now; raise NotEditable saying why not."""
    comment = get_comment(session, comment_id)
    if comment is None or comment.kind != Kind.COMMENT or comment.thread.slug != slug:
        raise NotEditable(_("There is no such comment on this post."), 404)
    if comment_id not in owned:
        raise NotEditable(_("Only the browser that posted a comment can change it."), 403)
    if comment.state not in _CHANGEABLE:
        raise NotEditable(_("This comment can no longer be changed."), 409)
    if minutes <= 0 or utcnow() > edit_deadline(comment, minutes):
        raise NotEditable(_("The time to change this comment is over."), 403)
    if has_replies(session, comment.id):
        raise NotEditable(_("Someone has replied to this comment, so it can no longer be changed."), 409)
    return comment


def save_edit(
    session: Session, comment: Comment, edited: NewCommentRecord, ip: str, config: Mapping[str, Any]
) -> EditRefused | None:
    """Judge the edited comment as a new one would be, then store it, its old text in the audit log, and bake."""
    candidate = Candidate(
        replace(
            edited,
            parent_id=comment.parent_id,
            notify_replies=comment.notify_replies,
            body_html=markdown_to_html(edited.body_source),
            ip=ip,
        )
    )
    checks = ",".join(name for name in str(config["SPAM_CHECKS"]).split(",") if name.strip() not in _NOT_FOR_EDITS)
    # A published comment stays published unless a check objects to the new text; one still waiting keeps waiting.
    hold = config["HOLD_FOR_MODERATION"] and comment.state != State.APPROVED
    judgement = judge(candidate, session.connection(), {**config, "SPAM_CHECKS": checks, "HOLD_FOR_MODERATION": hold})
    if judgement.verdict.action is Action.REJECT:
        return EditRefused(judgement.verdict)
    key = duplicate.dedupe_key(candidate)
    if key != comment.dedupe_key and duplicate.check(candidate, session.connection(), config):
        return EditRefused(duplicate.REJECTION)
    work = UnitOfWork(session)
    old_state = comment.state
    record(
        session,
        None,
        "edit-own",
        comment,
        anonymous_as=READER,
        old_author=comment.author,
        old_email=comment.email,
        old_website=comment.website,
        old_source=comment.body_source,
        new_source=edited.body_source,
    )
    comment.author, comment.email, comment.website = edited.author, edited.email, edited.website
    comment.body_source, comment.body_html = edited.body_source, candidate.comment.body_html
    comment.body_format = "markdown"
    comment.dedupe_key = key
    comment.updated = utcnow()
    set_state(session, comment, _STATE_OF[judgement.verdict.action])
    if comment.state != old_state:
        # The moderator reads why it moved (a published comment edited into a held word, say).
        comment.verdict_reason = judgement.stored_reason
        work.moved(comment, old_state)
    elif comment.state == State.APPROVED:
        work.bake(comment.thread.slug)
    work.commit()
    return None


def delete_own(session: Session, comment: Comment) -> None:
    """Delete the reader's comment at their word, keep it in the audit log, and take it off the page."""
    work = UnitOfWork(session)
    old_state = comment.state
    record(session, None, "delete-own", comment, anonymous_as=READER, old_state=old_state.value)
    set_state(session, comment, State.DELETED)
    # A fresh copy may be posted again: the deleted one no longer holds its key.
    comment.dedupe_key = None
    work.moved(comment, old_state)
    work.commit()
