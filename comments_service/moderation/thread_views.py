"""One post's thread as moderators see it (every state), and closing or reopening it."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template

from ..blog.closing import closed_now
from ..extensions import db
from ..language.speaking import gettext as _
from ..store.moderation_queue import thread_comments
from .actions import close_thread
from .auth import login_required
from .permissions import thread_or_abort
from .responses import done
from .tree import nest

bp = Blueprint("moderation_thread", __name__, url_prefix="/moderate/threads")


@bp.get("/<slug>")
@login_required
def show(slug: str) -> str:
    """Show every entry on a post's thread, in every state, nested as replies."""
    thread = thread_or_abort(slug)
    comments = thread_comments(db(), thread)
    return render_template(
        "thread.html", thread=thread, roots=nest(comments), count=len(comments), closed=closed_now(thread)
    )


@bp.post("/<slug>/<any(close, open):change>")
@login_required
def close_or_open(slug: str, change: str) -> Response:
    """Close a post's thread to new comments, or reopen it, and bake the page."""
    thread = thread_or_abort(slug)
    close_thread(db(), thread, change == "close", g.user)
    message = (
        _("Thread %(slug)s closed.", slug=slug) if change == "close" else _("Thread %(slug)s reopened.", slug=slug)
    )
    return done(message, slug=slug, closed=closed_now(thread))
