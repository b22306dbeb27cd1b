"""One comment: its page, the moderation actions, editing its body and replying as the post author."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for

from ..extensions import db
from ..language.speaking import gettext as _
from ..store.audit_log import detail_of, entries
from ..store.models import Role
from ..text.text_policy import newlines
from .actions import ACTIONS, moderate
from .auth import login_required
from .authoring import NotRepliable, edit_body, reply_as_author
from .labels import action_done
from .permissions import comment_or_abort
from .responses import body_problem, done, refused

bp = Blueprint("moderation_comment", __name__, url_prefix="/moderate/comments")


@bp.get("/<id:comment_id>")
@login_required
def show(comment_id: int) -> str:
    """Show one comment with its actions, the edit and reply forms, and (to admins) its history."""
    comment = comment_or_abort(comment_id)
    history = entries(db(), comment_id=comment.id) if g.user.role == Role.ADMIN else []
    return render_template("comment.html", comment=comment, history=history, detail_of=detail_of)


def _posted_body(refusal: str) -> str:
    """Return the posted body, its line ends made one kind; refuse the request (400) if the text policy forbids it."""
    body = newlines(request.form.get("body", ""))
    if problem := body_problem(body):
        abort(refused(400, refusal, {"body": problem}))
    return body.strip()


@bp.post("/<id:comment_id>/<action>")
@login_required
def act(comment_id: int, action: str) -> Response:
    """Approve, reject, mark as spam or delete one comment, then bake its post."""
    if action not in ACTIONS:
        abort(404, description=_("Unknown moderation action."))
    comment = comment_or_abort(comment_id)
    moderate(db(), comment, action, g.user)
    return done(action_done(action, comment_id), id=comment_id, state=comment.state.value)


@bp.post("/<id:comment_id>/edit")
@login_required
def edit(comment_id: int) -> Response:
    """Replace a comment's body (re-sanitised), keeping the original in the audit log."""
    comment = comment_or_abort(comment_id)
    edit_body(db(), comment, _posted_body(_("The comment was not changed.")), g.user)
    return done(_("Comment %(id)s edited.", id=comment_id), id=comment_id, body_html=comment.body_html)


@bp.post("/<id:comment_id>/reply")
@login_required
def reply(comment_id: int) -> Response:
    """Publish a reply by the post's author under a comment, and bake it."""
    parent = comment_or_abort(comment_id)
    body = _posted_body(_("The reply was not posted."))
    try:
        answer = reply_as_author(
            db(), parent, body, g.user, int(current_app.config["MAX_THREAD_DEPTH"]), request.remote_addr or ""
        )
    except NotRepliable as error:
        return refused(409, str(error))
    link = url_for("moderation_thread.show", slug=parent.thread.slug, _anchor=f"mod-{answer.id}")
    return done(_("Reply %(id)s published.", id=answer.id), id=answer.id, parent_id=answer.parent_id, url=link)
