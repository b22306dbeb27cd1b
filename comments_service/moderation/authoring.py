"""Changing what comments say: moderators' edits and the post author's replies."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..baking.unit_of_work import UnitOfWork
from ..language.speaking import gettext as _
from ..store.ancestry import ancestry
from ..store.audit_log import record
from ..store.comments import NewCommentRecord, add_comment
from ..store.models import Comment, State, User, utcnow
from ..submission.reply_placement import attach_point
from ..text.sanitize import markdown_to_html, render_body
from .actions import stage
from .labels import state_label


class NotRepliable(ValueError):
    """The comment replied to is spam or deleted, so a reply would hang from nothing."""


def edit_body(session: Session, comment: Comment, source: str, actor: User) -> None:
    """Replace a comment's body, re-sanitised in its own format; the original goes to the audit log."""
    work = UnitOfWork(session, actor)
    record(
        session,
        actor,
        "edit",
        comment,
        body_format=comment.body_format,
        old_source=comment.body_source,
        old_html=comment.body_html,
        new_source=source,
    )
    comment.body_source = source
    comment.body_html = render_body(source, comment.body_format)
    comment.updated = utcnow()
    work.bake(comment.thread.slug)
    work.commit()


def reply_as_author(session: Session, parent: Comment, source: str, actor: User, max_depth: int, ip: str) -> Comment:
    """Publish a reply by the post's author under parent (approving a pending parent first)."""
    work = UnitOfWork(session, actor)
    if parent.state == State.PENDING:
        # Like WordPress's "Approve and reply": a reply to an unpublished comment would float alone.
        stage(work, parent, "approve", reason="replied to")
    elif parent.state != State.APPROVED:
        state = state_label(parent.state)
        raise NotRepliable(
            _("Comment %(id)s is %(state)s; only published comments take replies.", id=parent.id, state=state)
        )
    thread = parent.thread
    reply = add_comment(
        session,
        NewCommentRecord(
            thread_id=thread.id,
            parent_id=attach_point(ancestry(session.connection(), parent.id), max_depth),
            author=thread.author or actor.display_name,
            body_source=source,
            body_format="markdown",
            body_html=markdown_to_html(source),
            by_post_author=True,
            state=State.APPROVED,
            ip=ip,
        ),
    )
    record(session, actor, "reply", reply, in_reply_to=parent.id)
    work.moved(reply, None)
    work.commit()
    return reply
