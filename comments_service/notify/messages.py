"""What Kiln writes: a note to moderators about each new comment, and one to subscribers about replies."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template
from sqlalchemy.orm import Session

from ..blog.identity import identity_of
from ..language.speaking import N_, speaking
from ..language.speaking import gettext as _
from ..store.comments import get_comment
from ..store.models import Comment
from ..store.outbox import enqueue
from ..text.mail_address import mailbox
from ..web.languages import person_language, post_language
from .compose import one_line
from .mailconf import moderator_addresses, service_link, site_link, site_name
from .recipients import moderators, subscribed_parent
from .tokens import MAIL_ACTIONS, ModerationGrant, Subscription, moderation_token, unsubscribe_token

log = logging.getLogger(__name__)


def queue_moderator_mail(app: Flask, session: Session, comment: Comment) -> int:
    """Queue one message per moderator about a comment awaiting moderation; the caller commits."""
    thread, secret = comment.thread, str(app.config["SECRET_KEY"])
    parent = get_comment(session, comment.parent_id) if comment.parent_id is not None else None
    queued = 0
    for moderator in moderators(session, moderator_addresses(app.config)):
        if mailbox(moderator.email) is None:
            log.warning("kiln: no moderation mail to %r, which is not a plain email address", moderator.email)
            continue
        links = {
            action: service_link(
                app,
                "notify.confirm",
                token=moderation_token(secret, ModerationGrant(comment.id, action, moderator.user_id)),
            )
            for action in MAIL_ACTIONS
        }
        # Each moderator reads it in their account's language; an address without an account, in the site's.
        subject, body = _written_in(
            person_language(identity_of(app), moderator.language),
            N_("[%(site)s] Comment by %(author)s awaiting moderation: %(title)s"),
            {"site": site_name(app), "author": comment.author, "title": thread.title},
            "notify/moderate.txt",
            comment=comment,
            parent=parent,
            thread=thread,
            post_url=site_link(app, thread.url),
            queue_url=service_link(app, "moderation.queue"),
            links=links,
            days=max(1, int(app.config["MAIL_LINK_MAX_AGE"]) // 86400),
            site=site_name(app),
        )
        enqueue(session, moderator.email, subject, body)
        queued += 1
    return queued


def queue_reply_mail(app: Flask, session: Session, reply: Comment) -> bool:
    """Queue a message to the author of the comment a newly approved reply answers, if they asked for it."""
    parent = subscribed_parent(session, reply)
    if parent is None or mailbox(parent.email) is None:
        return False
    thread = reply.thread
    token = unsubscribe_token(str(app.config["SECRET_KEY"]), Subscription(parent.email, thread.id))
    unsubscribe_url = service_link(app, "notify.unsubscribe", token=token)
    # A commenter hears in the language of the post they commented on.
    subject, body = _written_in(
        post_language(identity_of(app), thread.language),
        N_("[%(site)s] %(author)s replied to your comment on %(title)s"),
        {"site": site_name(app), "author": reply.author, "title": thread.title},
        "notify/reply.txt",
        reply=reply,
        parent=parent,
        thread=thread,
        reply_url=site_link(app, f"{thread.url}#comment-{reply.id}"),
        unsubscribe_url=unsubscribe_url,
        site=site_name(app),
    )
    enqueue(session, parent.email, subject, body, unsubscribe_url=unsubscribe_url)
    return True


def _written_in(
    language: str, subject: str, subject_values: dict[str, str], template: str, **context: Any
) -> tuple[str, str]:
    """Return a message's one-line subject (an N_() message) and its body from template, both in language."""
    with speaking(language):
        return one_line(_(subject, **subject_values)), render_template(template, **context)
