"""The pages behind the links in Kiln's email: confirm a moderation action, and unsubscribe from replies."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from itsdangerous import BadData, SignatureExpired

from ..extensions import csrf, db, limiter
from ..language.speaking import N_
from ..language.speaking import gettext as _
from ..moderation.actions import moderate
from ..moderation.labels import action_label, state_label
from ..store.comments import get_comment
from ..store.mail_recipients import stop_replies, subscribed_thread
from ..store.models import Comment, State, User
from ..store.users import get_user
from ..web.languages import speak_for_post
from .mailconf import site_link
from .recipients import may_moderate
from .tokens import ModerationGrant, Subscription, read_moderation_token, read_unsubscribe_token

bp = Blueprint("notify", __name__, url_prefix="/mail", template_folder="templates")

# Each action's question and outcome: whole messages, as a language may word them differently.
QUESTIONS = {
    "approve": N_("Approve this comment?"),
    "spam": N_("Mark this comment as spam?"),
    "delete": N_("Delete this comment?"),
}
DONE = {"approve": N_("Comment approved."), "spam": N_("Comment marked as spam."), "delete": N_("Comment deleted.")}


def _link_limit() -> str:
    return str(current_app.config["MAIL_LINK_RATE_LIMIT"])


@bp.get("/moderate/<token>")
@limiter.limit(_link_limit)
def confirm(token: str) -> str:
    """Show the comment a moderation link is for, with one button to carry the action out."""
    grant, comment = _granted(token)
    return render_template(
        "notify/confirm.html",
        comment=comment,
        action=grant.action,
        question=_(QUESTIONS[grant.action]),
        verb=action_label(grant.action),
        pending=comment.state == State.PENDING,
        post_url=site_link(current_app, comment.thread.url),
    )


@bp.post("/moderate/<token>")
@limiter.limit(_link_limit)
def act(token: str) -> str:
    """Carry out the action a moderation link grants, if the comment still awaits moderation."""
    grant, comment = _granted(token)
    actor = _actor(grant)
    if comment.state != State.PENDING:
        state = state_label(comment.state)
        abort(409, description=_("This comment is no longer awaiting moderation (it is %(state)s).", state=state))
    moderate(db(), comment, grant.action, actor)
    return render_template(
        "notify/done.html",
        message=_(DONE[grant.action]),
        post_url=site_link(current_app, comment.thread.url),
    )


def _granted(token: str) -> tuple[ModerationGrant, Comment]:
    config = current_app.config
    try:
        grant = read_moderation_token(str(config["SECRET_KEY"]), token, int(config["MAIL_LINK_MAX_AGE"]))
    except SignatureExpired:
        abort(400, description=_("This moderation link has expired. Moderate the comment from the queue instead."))
    except BadData:
        abort(403, description=_("This moderation link is not valid."))
    comment = get_comment(db(), grant.comment_id)
    if comment is None:
        abort(404, description=_("There is no such comment."))
    # The page speaks the language of the post the comment is on.
    speak_for_post(current_app, comment.thread.language)
    return grant, comment


def _actor(grant: ModerationGrant) -> User | None:
    if grant.user_id is None:
        return None
    user = get_user(db(), grant.user_id)
    if user is None or not may_moderate(user):
        abort(403, description=_("This link was sent to an account that can no longer moderate."))
    return user


@bp.get("/unsubscribe/<token>")
@limiter.limit(_link_limit)
def unsubscribe_page(token: str) -> str:
    """Show what an unsubscribe link stops, with one button to stop it."""
    return _unsubscribe_view(_subscription(token), done=False)


# RFC 8058 one-click unsubscribe: the mail client POSTs here with no cookies and no form token, so
# this endpoint is exempt from CSRF. The signed token in the URL is the proof instead: only someone
# holding the email can produce it, and the most a forged request could do is what the link's owner
# asked for anyway (stop mail to that address).
@bp.post("/unsubscribe/<token>")
@csrf.exempt
@limiter.limit(_link_limit)
def unsubscribe(token: str) -> str:
    """Stop reply notifications to the token's address on the token's thread."""
    subscription = _subscription(token)
    session = db()
    stop_replies(session, subscription.email, subscription.thread_id)
    session.commit()
    return _unsubscribe_view(subscription, done=True)


def _subscription(token: str) -> Subscription:
    try:
        return read_unsubscribe_token(str(current_app.config["SECRET_KEY"]), token)
    except BadData:
        abort(403, description=_("This unsubscribe link is not valid."))


def _unsubscribe_view(subscription: Subscription, done: bool) -> str:
    thread = subscribed_thread(db(), subscription.thread_id)
    if thread is None:
        abort(404, description=_("That post no longer exists."))
    speak_for_post(current_app, thread.language)
    return render_template(
        "notify/unsubscribe.html",
        done=done,
        email=subscription.email,
        title=thread.title or thread.slug,
        post_url=site_link(current_app, thread.url),
    )
