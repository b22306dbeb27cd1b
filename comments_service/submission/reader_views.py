"""The reader's pages: their own comment in place, a reply to a comment, a preview, and changing their comment."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import NoReturn

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, request, url_for
from flask_wtf.csrf import generate_csrf

from ..blog.closing import closed_now
from ..blog.identity import identity_of
from ..extensions import csrf, db, db_connection
from ..language.dates import moment_text
from ..language.speaking import current_language
from ..language.speaking import gettext as _
from ..rendering.thread_view import CommentNode, build_view, comment_node
from ..store.comments import get_comment, has_replies
from ..store.models import Comment, Kind, State, utcnow
from ..store.threads import ThreadRow, get_thread_row, unpublished_rows, visible_threads
from ..text.sanitize import markdown_to_html
from ..web.errors import error_response, wants_json
from ..web.languages import speak_for_post
from .cross_origin import allow_the_site
from .editing import NotEditable, delete_own, edit_deadline, editable_comment, save_edit
from .ownership import forget, own_comments
from .reader_pages import kept_values, own_comments_page, own_nodes, reader_page, replying_to
from .validation import validate
from .views import sent_fields

bp = Blueprint("reader", __name__, url_prefix="/comments/<slug>")
bp.after_request(allow_the_site)


def _thread(slug: str) -> ThreadRow:
    """Return the post's thread and speak its language, or answer 404."""
    thread = get_thread_row(db_connection(), slug)
    if thread is None:
        abort(404, description=_("There is no post with that address."))
    speak_for_post(current_app, thread.language)
    return thread


def _refuse(thread: ThreadRow, status: int, message: str) -> NoReturn:
    """Refuse the request: a browser gets the post's page saying why, an API client the usual JSON error."""
    if wants_json():
        abort(status, description=message)
    abort(
        reader_page(
            thread, _("That did not work"), status=status, title_prefix=_("Error: "), message=message, show_form=False
        )
    )


def _post_url(thread: ThreadRow, anchor: str = "") -> str:
    return identity_of(current_app).site_link(thread.url) + anchor


def _edit_minutes() -> int:
    return int(current_app.config["EDIT_MINUTES"])


@bp.get("/yours")
def yours(slug: str) -> Response:
    """Show the post with the reader's own comments where they belong, published or not; others see the post."""
    thread = _thread(slug)
    owned = own_comments()
    session = db()
    rows = next((found for row, found in visible_threads(session, [slug]) if row.id == thread.id), [])
    rows += unpublished_rows(session, thread.id, owned)
    view = build_view(thread, rows, own=frozenset(owned))
    mine = list(own_nodes(view.roots))
    if not mine:
        # Nothing of this reader's to show (another browser, an expired cookie, a shared link): the post as it is.
        return redirect(_post_url(thread), code=303)  # type: ignore[return-value]
    minutes = _edit_minutes()
    for node in mine:
        until = node.created + timedelta(minutes=minutes)
        if minutes > 0 and utcnow() < until and not has_replies(session, node.id):
            node.edit_url = url_for("reader.edit", slug=slug, comment_id=node.id)
            node.edit_until = until
    return own_comments_page(thread, view)


@bp.get("/reply/<id:comment_id>")
def reply(slug: str, comment_id: int) -> Response:
    """Show the form for a reply to one comment (what the script does in place, for pages without it)."""
    thread = _thread(slug)
    if closed_now(thread):
        _refuse(thread, 403, _("Comments on this entry are closed."))
    parent = _published(thread, comment_id)
    return reader_page(
        thread,
        _("Reply to %(author)s", author=parent.author),
        title_prefix=_("Reply: "),
        replying_to=comment_node(parent),
    )


def _published(thread: ThreadRow, comment_id: int) -> Comment:
    comment = get_comment(db(), comment_id)
    if comment is None or comment.thread_id != thread.id or comment.state != State.APPROVED:
        _refuse(thread, 404, _("There is no such comment on this post."))
    if comment.kind != Kind.COMMENT:
        _refuse(thread, 404, _("There is no such comment on this post."))
    return comment


# Like the form it previews, a preview changes nothing and is sent from static pages without a token.
@bp.post("/preview")
@csrf.exempt
def preview(slug: str) -> Response:
    """Show a comment as it will look once published, sanitised as it will be stored; change nothing."""
    thread = _thread(slug)
    if closed_now(thread):
        _refuse(thread, 403, _("Comments on this entry are closed."))
    form, type_errors = sent_fields()
    if form is None:
        return error_response(400, _("The request body must be a JSON object of the comment's fields."))
    _record, errors = validate(form, current_app.config, thread.id)
    errors |= type_errors
    body_error = errors.get("body")
    html = "" if body_error else markdown_to_html((form.get("body") or "").strip())
    if wants_json():
        return jsonify(html=html, errors=errors)
    values = kept_values(form)
    parent = replying_to(thread, form.get("parent") or "")
    shown = None
    if not body_error:
        shown = CommentNode(
            id=0,
            author=values["author"].strip() or _("Your name"),
            website="" if "website" in errors else values["website"].strip(),
            body_html=html,
            created=utcnow(),
            by_post_author=False,
            deleted=False,
            email=values["email"],
            pending=True,
        )
    return reader_page(
        thread,
        _("Preview your comment"),
        status=400 if body_error else 200,
        title_prefix=_("Preview: "),
        message=_("Your comment is not posted yet. Please fix the following:") if body_error else "",
        errors={"body": body_error} if body_error else {},
        notice="" if body_error else _("This is how your comment will look. It is not posted yet."),
        preview=shown,
        replying_to=parent,
        values=values,
    )


def _editable(thread: ThreadRow, comment_id: int) -> Comment:
    try:
        return editable_comment(db(), comment_id, thread.slug, own_comments(), _edit_minutes())
    except NotEditable as refusal:
        _refuse(thread, refusal.status, refusal.message)


def _edit_page(
    thread: ThreadRow, comment: Comment, values: dict[str, str], status: int = 200, **extra: object
) -> Response:
    until: datetime = edit_deadline(comment, _edit_minutes())
    return reader_page(
        thread,
        _("Edit your comment"),
        status=status,
        title_prefix=_("Edit: "),
        values=values,
        action=url_for("reader.edit", slug=thread.slug, comment_id=comment.id),
        editing=True,
        csrf=generate_csrf(),
        delete_action=url_for("reader.delete", slug=thread.slug, comment_id=comment.id),
        notice=extra.pop("notice", None)
        or _("You can change or delete your comment until %(time)s.", time=_time(until)),
        **extra,
    )


def _time(moment: datetime) -> str:
    return moment_text(moment, identity_of(current_app).timezone, current_language())


@bp.route("/<id:comment_id>/edit", methods=["GET", "POST"])
def edit(slug: str, comment_id: int) -> Response:
    """Show the reader's comment for editing, or store their change (validated and judged as a new comment)."""
    thread = _thread(slug)
    comment = _editable(thread, comment_id)
    if request.method == "GET":
        stored = {
            "author": comment.author,
            "email": comment.email,
            "website": comment.website,
            "body": comment.body_source,
        }
        return _edit_page(thread, comment, stored)
    values = kept_values(request.form)
    record, errors = validate(request.form, current_app.config, thread.id)
    if record is None or errors:
        errors = {name: problem for name, problem in errors.items() if name not in {"parent", "notify"}}
        return _edit_page(
            thread,
            comment,
            values,
            400,
            message=_("Your change is not saved yet. Please fix the following:"),
            errors=errors,
        )
    refused = save_edit(
        db(),
        comment,
        replace(record, notify_replies=comment.notify_replies),
        request.remote_addr or "",
        current_app.config,
    )
    if refused is not None:
        verdict = refused.verdict
        message = verdict.reason.text() if verdict.reason else _("The comment was not accepted.")
        response = _edit_page(thread, comment, values, verdict.status or 400, message=message)
        response.headers.update(verdict.headers)
        return response
    return redirect(url_for("reader.yours", slug=slug) + f"#comment-{comment_id}", code=303)  # type: ignore[return-value]


@bp.post("/<id:comment_id>/delete")
def delete(slug: str, comment_id: int) -> Response:
    """Delete the reader's own comment, at once and for good."""
    thread = _thread(slug)
    comment = _editable(thread, comment_id)
    delete_own(db(), comment)
    response = reader_page(
        thread,
        _("Your comment was deleted"),
        title_prefix=_("Deleted: "),
        notice=_("Your comment was deleted. Nobody will see it."),
        show_form=False,
    )
    forget(response, comment_id)
    return response
