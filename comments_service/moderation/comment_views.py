"""One comment: its page, the moderation actions, editing its body and replying as the post author."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, flash, g, render_template, request, url_for

from ..extensions import db
from ..language.speaking import gettext as _
from ..store.audit_log import detail_of, entries
from ..store.models import Comment, Role, State
from ..text.text_policy import newlines
from ..web.errors import wants_json
from .actions import ACTIONS, moderate, undo
from .auth import login_required
from .authoring import NotRepliable, edit_body, reply_as_author
from .labels import action_done
from .permissions import comment_or_abort
from .purging import PURGEABLE, purge
from .responses import back, body_problem, done, done_at, refused

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


def _short(text: str, longest: int = 80) -> str:
    # Confirmations travel in the session cookie: a name of thousands of characters must not burst it.
    return text if len(text) <= longest else text[: longest - 1] + "…"


def _who_and_where(comment: Comment) -> tuple[str, str]:
    """Return whose entry it is (a linkback's site where it has no author) and the post's title, both kept short."""
    return _short(comment.author or comment.blog_name or comment.source_url), _short(comment.thread.title)


@bp.post("/<id:comment_id>/<action>")
@login_required
def act(comment_id: int, action: str) -> Response:
    """Approve, unapprove, mark as spam or not, trash or restore one comment, then bake its post."""
    if action not in ACTIONS:
        abort(404, description=_("Unknown moderation action."))
    comment = comment_or_abort(comment_id)
    before = comment.state
    moderate(db(), comment, action, g.user)
    if before != comment.state and not wants_json():
        # The confirmation carries the way back: an Undo button that puts the comment where it was.
        flash(f"{comment_id}:{before.value}:{comment.state.value}", "undo")
    message = action_done(action, *_who_and_where(comment))
    # Back in the queue at the item that took this one's place, not at the top.
    then = request.form.get("then", "")
    if re.fullmatch(r"queue-\d{1,19}", then):
        return done_at(f"{back().partition('#')[0]}#{then}", message, id=comment_id, state=comment.state.value)
    return done(message, id=comment_id, state=comment.state.value)


@bp.route("/<id:comment_id>/purge", methods=["GET", "POST"])
@login_required
def purge_one(comment_id: int) -> Response | str:
    """Ask, then delete one comment from the spam folder or the trash for good (kept in the audit log)."""
    comment = comment_or_abort(comment_id)
    if comment.state not in PURGEABLE:
        return refused(409, _("Only comments in the spam folder or the trash can be deleted permanently."))
    who, where = _who_and_where(comment)
    folder = url_for("moderation.queue", state=comment.state.value)
    if request.method == "GET":
        return render_template(
            "confirm.html",
            question=_("Delete %(author)s's comment on %(title)s permanently?", author=who, title=where),
            action=url_for("moderation_comment.purge_one", comment_id=comment_id),
            cancel=folder,
        )
    purge(db(), [comment], g.user)
    message = _("Deleted %(author)s's comment on %(title)s permanently.", author=who, title=where)
    return done_at(folder, message, id=comment_id)


@bp.post("/<id:comment_id>/undo")
@login_required
def undo_action(comment_id: int) -> Response:
    """Put a comment back in the state an action found it in, if nothing has moved it since."""
    comment = comment_or_abort(comment_id)
    try:
        back_to, expected = State(request.form.get("to", "")), State(request.form.get("from", ""))
    except ValueError:
        return refused(400, _("Nothing to undo."))
    if comment.state != expected:
        return refused(409, _("That comment has changed since; nothing was undone."))
    undo(db(), comment, back_to, g.user)
    return done(action_done("undo", *_who_and_where(comment)), id=comment_id, state=comment.state.value)


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
