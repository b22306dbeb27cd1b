"""The public endpoint that the comment form on every open post submits to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from flask import Blueprint, Response, abort, current_app, g, jsonify, redirect, request, url_for
from flask_limiter.errors import RateLimitExceeded

from ..baking.unit_of_work import Committed, publish
from ..blog.closing import closed_now
from ..blog.identity import identity_of
from ..extensions import csrf, db_connection, limiter
from ..language.speaking import gettext as _
from ..spam import duplicate, honeypot
from ..spam.pipeline import judge
from ..spam.verdict import Action, Candidate, Verdict
from ..store.ancestry import ancestry
from ..store.comments import NewComment, NewCommentRecord
from ..store.models import State
from ..store.threads import ThreadRow, get_thread_row
from ..text.sanitize import markdown_to_html
from ..web.errors import error_response, rate_limit_refusal, wants_json
from ..web.languages import speak_for_post
from .cross_origin import allow_the_site
from .ownership import remember
from .reader_pages import kept_values, reader_page, replying_to
from .reply_placement import attach_point, replyable
from .storing import commit_comment
from .validation import json_fields, validate

bp = Blueprint("submission", __name__)
bp.after_request(allow_the_site)

STATE_OF = {Action.APPROVE: State.APPROVED, Action.PENDING: State.PENDING, Action.SPAM: State.SPAM}


def _submit_limit() -> str:
    return str(current_app.config["SUBMIT_RATE_LIMIT"])


def _post_url(path: str) -> str:
    return identity_of(current_app).site_link(path)


# Static pages cannot carry a per-visitor token, and the form creates nothing
# on the visitor's behalf, so this endpoint is exempt from CSRF; its defences
# are validation, rate limits, the spam pipeline and moderation.
@bp.post("/comments/<slug>/")
@csrf.exempt
@limiter.limit(_submit_limit)
def submit(slug: str) -> Response:
    """Accept a reader's comment on a post, judge it for spam and store it."""
    connection = db_connection()
    thread = get_thread_row(connection, slug)
    if thread is None:
        abort(404, description=_("There is no post with that address."))
    # The reader is answered in the language of the post they comment on.
    speak_for_post(current_app, thread.language)
    if closed_now(thread):
        abort(403, description=_("Comments on this entry are closed."))
    fields, type_errors = sent_fields()
    if fields is None:
        return error_response(400, _("The request body must be a JSON object of the comment's fields."))
    record, errors = validate(fields, current_app.config, thread.id)
    # A field of the wrong type is reported as such, not as missing.
    errors |= type_errors
    if record is None or errors:
        return _invalid(thread, errors, fields)
    parent_id = None
    if record.parent_id is not None:
        chain = ancestry(connection, record.parent_id)
        if not replyable(chain, thread.id):
            return _invalid(thread, {"parent": _("is not a published comment on this post")}, fields)
        parent_id = attach_point(chain, current_app.config["MAX_THREAD_DEPTH"])
    candidate = _candidate(record, parent_id, fields.get(honeypot.FIELD, ""))
    judgement = judge(candidate, connection, current_app.config)
    if judgement.verdict.action is Action.REJECT:
        return _rejected(thread, judgement.verdict, fields)
    state = STATE_OF[judgement.verdict.action]
    judged = replace(
        candidate.comment, state=state, verdict_reason=judgement.stored_reason, dedupe_key=judgement.dedupe_key
    )
    comment = commit_comment(current_app.config["DATABASE_URL"], thread, judged, bake=state is State.APPROVED)
    if comment is None:
        # The unique dedupe_key refused a copy of a stored comment (the pipeline leaves that to the store).
        return _rejected(thread, duplicate.REJECTION, fields)
    # The group committed the comment with its bake job. A browser is sent to the comment on
    # the page, so it waits for the batch that bakes it; a JSON client is answered at once, so
    # a busy thread's intake is not held up behind its bakes.
    publish(Committed(baked=state is State.APPROVED, submitted=(comment,)), urgent=False, wait=not wants_json())
    return _accepted(thread, comment)


def sent_fields() -> tuple[Mapping[str, str] | None, dict[str, str]]:
    """Return the submitted fields (the form, or a JSON object as Isso's clients send) and any type errors."""
    if not request.is_json:
        return request.form, {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None, {}
    return json_fields(data)


def _candidate(record: NewCommentRecord, parent_id: int | None, trap: str) -> Candidate:
    # What the form alone does not tell: where the reply hangs, its body as HTML, and who sent it.
    placed = replace(
        record,
        parent_id=parent_id,
        body_html=markdown_to_html(record.body_source),
        ip=request.remote_addr or "",
        user_agent=(request.user_agent.string or "")[:500],
    )
    return Candidate(placed, honeypot=trap, by_moderator=g.get("user") is not None)


def _accepted(thread: ThreadRow, comment: NewComment) -> Response:
    # Spam is answered exactly like a comment held for moderation, so a
    # sender cannot tell which of its comments were caught.
    published = comment.state is State.APPROVED
    # The browser that wrote it is shown it in place (and may change it for a while); nobody else is.
    page = url_for("reader.yours", slug=thread.slug)
    if wants_json():
        response = jsonify(id=comment.id, status=State.APPROVED.value if published else State.PENDING.value, page=page)
        response.status_code = 201 if published else 202
    else:
        response = redirect(f"{page}#comment-{comment.id}", code=303)  # type: ignore[assignment]
    remember(response, comment.id)
    return response


def _refused_page(thread: ThreadRow, status: int, message: str, fields: Mapping[str, str], **extra: object) -> Response:
    """Answer a browser with the post, the reader's text kept in its form, and what to do."""
    return reader_page(
        thread,
        _("Your comment was not posted yet"),
        status=status,
        title_prefix=_("Error: "),
        message=message,
        values=kept_values(fields),
        replying_to=replying_to(thread, fields.get("parent") or ""),
        **extra,
    )


def _rejected(thread: ThreadRow, verdict: Verdict, fields: Mapping[str, str]) -> Response:
    message = verdict.reason.text() if verdict.reason else _("The comment was not accepted.")
    status = verdict.status or 400
    response = error_response(status, message) if wants_json() else _refused_page(thread, status, message, fields)
    response.headers.update(verdict.headers)
    return response


def _invalid(thread: ThreadRow, errors: dict[str, str], fields: Mapping[str, str]) -> Response:
    if wants_json():
        return error_response(400, _("The comment was not accepted."), errors)
    message = _("Please fix the following and send it again:")
    return _refused_page(thread, 400, message, fields, errors=errors)


@bp.errorhandler(RateLimitExceeded)
def _too_fast(error: RateLimitExceeded) -> Response:
    """Refuse a comment over the rate limit; a browser gets its text back with when to send it again."""
    thread = get_thread_row(db_connection(), str((request.view_args or {}).get("slug", "")))
    if thread is not None:
        speak_for_post(current_app, thread.language)
    message, wait = rate_limit_refusal()
    if wants_json() or thread is None:
        response = error_response(429, message)
    else:
        fields, _errors = sent_fields()
        response = _refused_page(thread, 429, message, fields or {})
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response
