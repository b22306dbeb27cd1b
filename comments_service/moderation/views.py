"""The moderation queue: filter, page through and act on many comments at once."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, g, render_template, request, send_file, url_for
from werkzeug.datastructures import MultiDict

from ..blog.closing import closed_now
from ..extensions import db
from ..language.speaking import gettext as _
from ..language.speaking import ngettext
from ..store.models import State
from ..store.moderation_queue import QueueFilter, comments_by_ids, in_state, queue_page, state_counts, threads_for
from ..web.errors import wants_json
from ..web.ids import parse_id
from .actions import moderate_many
from .auth import login_required
from .labels import bulk_done
from .permissions import may_moderate, own_posts_only, thread_or_abort
from .purging import purge
from .responses import done, done_at, refused

bp = Blueprint("moderation", __name__, url_prefix="/moderate")
BULK_ACTIONS = ("approve", "unapprove", "spam", "not-spam", "trash", "restore")
# Taken as well, not offered: the older name of "trash", which scripts written against earlier releases send.
_OLDER_BULK_ACTIONS = ("delete",)
BULK_MAX = 500
TEXT_MAX = 200


def _cursor(args: MultiDict[str, str], name: str) -> int | None:
    raw = args.get(name, "")
    if not raw:
        return None
    if (cursor := parse_id(raw)) is None:
        abort(400, description=_("The %(cursor)s cursor must be a comment id.", cursor=name))
    return cursor


def _queue_filter(args: MultiDict[str, str]) -> QueueFilter:
    try:
        state = State(args.get("state") or State.PENDING.value)
    except ValueError:
        abort(400, description=_("Unknown state."))
    return QueueFilter(
        state=state,
        slug=args.get("post", "").strip(),
        text=args.get("q", "").strip()[:TEXT_MAX],
        own_posts_of=own_posts_only(g.user),
        after=_cursor(args, "after"),
        before=_cursor(args, "before"),
    )


@bp.get("/")
@login_required
def queue() -> str:
    """Show the comments in one state (pending first), filtered by post and text, a page at a time."""
    flt = _queue_filter(request.args)
    session, config = db(), current_app.config
    thread = thread_or_abort(flt.slug) if flt.slug else None
    counts = state_counts(session, flt.slug, flt.own_posts_of)
    return render_template(
        "queue.html",
        flt=flt,
        thread=thread,
        thread_closed=closed_now(thread) if thread else False,
        page=queue_page(session, flt, int(config["QUEUE_PAGE_SIZE"]), int(config["QUEUE_SEARCH_WINDOW"])),
        counts=counts,
        awaiting=counts.get(State.PENDING, 0),
        threads=threads_for(session, flt.own_posts_of),
        bulk_actions=BULK_ACTIONS,
    )


@bp.post("/bulk")
@login_required
def bulk() -> Response:
    """Approve, mark as spam or delete every ticked comment in one go."""
    action = request.form.get("action", "")
    raw_ids = request.form.getlist("ids")
    if action not in BULK_ACTIONS + _OLDER_BULK_ACTIONS:
        return refused(400, _("Choose what to do with the ticked comments."), {"action": _("is not a bulk action")})
    if not raw_ids:
        # The sentence says it all to a person; an API client also gets the field.
        return refused(400, _("Tick at least one comment."), {"ids": _("is required")} if wants_json() else None)
    parsed = [parse_id(i) for i in raw_ids]
    if len(raw_ids) > BULK_MAX or None in parsed:
        problem = ngettext("must be up to %(num)s comment id", "must be up to %(num)s comment ids", BULK_MAX)
        return refused(400, _("The ticked comments are not valid."), {"ids": problem})
    ids = sorted({i for i in parsed if i is not None})
    session = db()
    comments = comments_by_ids(session, ids)
    if len(comments) != len(ids):
        abort(404, description=_("Some of the ticked comments do not exist."))
    if not all(may_moderate(g.user, c.thread) for c in comments):
        abort(403, description=_("You may only moderate the threads of your own posts."))
    moderate_many(session, comments, action, g.user)
    return done(bulk_done(action, len(ids)), ids=ids, action=action)


@bp.get("/kiln.css")
def stylesheet() -> Response:
    """Serve the moderation UI's stylesheet."""
    return send_file(Path(__file__).parent.parent / "templates" / "kiln-service.css", mimetype="text/css")


def pending_count() -> int:
    """Return how many comments the logged-in account may moderate wait for it (every page's header shows it)."""
    user = g.get("user")
    if user is None:
        return 0
    return state_counts(db(), "", own_posts_only(user)).get(State.PENDING, 0)


# The folders that can be emptied, by the name their addresses use.
FOLDERS = {"spam": State.SPAM, "trash": State.DELETED}


@bp.route("/empty/<folder>", methods=["GET", "POST"])
@login_required
def empty(folder: str) -> Response | str:
    """Ask, then delete every comment in the spam folder or the trash for good (each kept in the audit log)."""
    state = FOLDERS.get(folder)
    if state is None:
        abort(404, description=_("There is no such folder."))
    comments = in_state(db(), state, own_posts_only(g.user))
    back_to = url_for("moderation.queue", state=state.value)
    if request.method == "GET":
        count = len(comments)
        question = (
            ngettext(
                "Delete %(num)s comment in the spam folder permanently?",
                "Delete all %(num)s comments in the spam folder permanently?",
                count,
            )
            if state == State.SPAM
            else ngettext(
                "Delete %(num)s comment in the trash permanently?",
                "Delete all %(num)s comments in the trash permanently?",
                count,
            )
        )
        return render_template(
            "confirm.html", question=question, action=url_for("moderation.empty", folder=folder), cancel=back_to
        )
    count = purge(db(), comments, g.user)
    message = ngettext("Deleted %(num)s comment permanently.", "Deleted %(num)s comments permanently.", count)
    return done_at(back_to, message, count=count)
