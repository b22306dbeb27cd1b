"""The moderation queue and the actions taken on comments and threads."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from ..appctx import this_app
from ..baking.requests import request_bake
from ..baking.trigger import bake_requested
from ..db import db
from ..errors import wants_json
from ..events import comment_state_changed
from ..models import State
from ..store import count_by_state, get_comment, get_thread, set_closed, set_state
from ..store import queue as comments_in_state
from .actions import ACTIONS
from .auth import login_required

bp = Blueprint("moderation", __name__, url_prefix="/moderate")


@bp.get("/")
@login_required
def queue() -> str:
    """Show comments awaiting moderation first, or those in the chosen state."""
    try:
        state = State(request.args.get("state", State.PENDING.value))
    except ValueError:
        abort(400, description="Unknown state.")
    session = db()
    return render_template(
        "queue.html", state=state, comments=comments_in_state(session, state), counts=count_by_state(session)
    )


@bp.post("/comments/<int:comment_id>/<action>")
@login_required
def act(comment_id: int, action: str) -> Response:
    """Approve, reject, mark as spam or delete one comment, then bake its post."""
    if action not in ACTIONS:
        abort(404, description="Unknown moderation action.")
    session = db()
    comment = get_comment(session, comment_id)
    if comment is None:
        abort(404, description="There is no such comment.")
    old_state = comment.state
    set_state(session, comment, ACTIONS[action])
    request_bake(session, comment.thread.slug)
    session.commit()
    bake_requested(session)
    comment_state_changed.send(this_app(), comment=comment, old_state=old_state, new_state=comment.state, actor=g.user)
    return _done(f"Comment {comment_id}: {action} done.", id=comment_id, state=comment.state.value)


@bp.post("/threads/<slug>/<any(close, open):change>")
@login_required
def thread_change(slug: str, change: str) -> Response:
    """Close a post's thread to new comments, or reopen it."""
    session = db()
    thread = get_thread(session, slug)
    if thread is None:
        abort(404, description="There is no post with that address.")
    set_closed(session, thread, change == "close")
    request_bake(session, slug)
    session.commit()
    bake_requested(session)
    return _done(f"Thread {slug} {'closed' if change == 'close' else 'reopened'}.", slug=slug, closed=thread.is_closed)


def _done(message: str, **result: object) -> Response:
    if wants_json():
        return jsonify(result)
    flash(message, "success")
    return redirect(request.referrer if _local(request.referrer) else url_for(".queue"), code=303)  # type: ignore[return-value]


def _local(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)  # type: ignore[union-attr]


@bp.get("/kiln.css")
def stylesheet() -> Response:
    """Serve the moderation UI's stylesheet."""
    return send_file(Path(__file__).parent.parent / "templates" / "kiln-service.css", mimetype="text/css")
