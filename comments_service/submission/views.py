"""The public endpoint that the comment form on every open post submits to."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request

from ..appctx import this_app
from ..closing import closed_now
from ..db import db
from ..errors import error_response, wants_json
from ..events import comment_submitted
from ..extensions import csrf, limiter
from ..models import State
from ..sanitize import markdown_to_html
from ..store import add_comment, get_thread
from ..threading import attach_point, replyable
from .validation import validate

bp = Blueprint("submission", __name__)


def _submit_limit() -> str:
    return str(current_app.config["SUBMIT_RATE_LIMIT"])


def _post_url(path: str) -> str:
    return f"{current_app.config['SITE_URL'].rstrip('/')}/{path.lstrip('/')}"


# Static pages cannot carry a per-visitor token, and the form creates nothing
# on the visitor's behalf, so this endpoint is exempt from CSRF; its defences
# are validation, rate limits and moderation.
@bp.post("/comments/<slug>/")
@csrf.exempt
@limiter.limit(_submit_limit)
def submit(slug: str) -> Response:
    """Accept a reader's comment on a post and hold it for moderation."""
    session = db()
    thread = get_thread(session, slug)
    if thread is None:
        abort(404, description="There is no post with that address.")
    if closed_now(thread):
        abort(403, description="Comments on this entry are closed.")
    submission, errors = validate(request.form, current_app.config)
    if submission is None:
        return _invalid(slug, errors)
    parent = None
    if submission.parent_id is not None:
        replied_to = replyable(session, thread, submission.parent_id)
        if replied_to is None:
            return _invalid(slug, {"parent": "is not a published comment on this post"})
        parent = attach_point(session, replied_to, current_app.config["MAX_THREAD_DEPTH"])
    comment = add_comment(
        session,
        thread,
        parent_id=parent.id if parent else None,
        author=submission.author,
        email=submission.email,
        website=submission.website,
        body_source=submission.body,
        body_format="markdown",
        body_html=markdown_to_html(submission.body),
        notify_replies=submission.notify_replies,
        state=State.PENDING,
        ip=request.remote_addr or "",
        user_agent=(request.user_agent.string or "")[:500],
    )
    session.commit()
    comment_submitted.send(this_app(), comment=comment)
    if wants_json():
        response = jsonify(id=comment.id, status=comment.state.value)
        response.status_code = 202
        return response
    return redirect(_post_url(thread.url) + "#kiln-pending", code=303)  # type: ignore[return-value]


def _invalid(slug: str, errors: dict[str, str]) -> Response:
    if wants_json():
        return error_response(400, "The comment was not accepted.", errors)
    html = render_template("submission_error.html", slug=slug, errors=errors, form=request.form)
    return Response(html, status=400, mimetype="text/html")
