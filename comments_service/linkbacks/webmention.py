"""Webmention (W3C Recommendation): validate at once, store and answer 202, verify the source in the background."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import current_app
from sqlalchemy.orm import Session

from ..blog.closing import closed_now
from ..store.database import database
from ..store.models import PendingWebmention, utcnow
from ..store.pending_webmentions import count_waiting, store_mention
from ..store.threads import get_thread
from ..text.text_policy import field_problems
from .fetcher import Policy, url_is_fetchable
from .receive import Answer, Sender, apply_webmention
from .source_throttle import source_host_allowed
from .targets import find_target, is_absolute, normalize
from .verify import Outcome, verify

log = logging.getLogger(__name__)
URL_MAX = 2000


class TryLater(Exception):
    """The source could not be checked this time (unreachable, too slow, a server error); try again later."""


def _url_problem(value: str) -> str | None:
    if not value:
        return "is required"
    if len(value) > URL_MAX or not is_absolute(value):
        return "must be an absolute http or https URL"
    return None


def accept(session: Session, form: Mapping[str, str], sender: Sender) -> Answer:
    """Validate a webmention and store it for verification (committed before the 202), or say why not."""
    sent = {name: form.get(name) or "" for name in ("source", "target")}
    source, target = sent["source"].strip(), sent["target"].strip()
    fields = {
        name: problem for name, value in (("source", source), ("target", target)) if (problem := _url_problem(value))
    }
    # The address checks speak first; the text policy covers what they let through.
    fields = field_problems(sent, one_line=sent) | fields
    if fields:
        return Answer(400, "The webmention was not accepted.", fields)
    if normalize(source) == normalize(target):
        return Answer(400, "The source and the target must be different pages.", {"target": "is the source"})
    thread = find_target(session, target, sender.site_base).thread
    if thread is None:
        return Answer(400, "The target is not a post on this site.", {"target": "is not a post here"})
    if closed_now(thread):
        return Answer(400, "This post no longer accepts webmentions.", {"target": "is closed"})
    if not url_is_fetchable(source, sender.policy):
        return Answer(400, "The source cannot be fetched.", {"source": "cannot be fetched"})
    if not source_host_allowed(source):
        return Answer(429, "Too many webmentions from that site; try again later.")
    config = current_app.config
    if count_waiting(session, int(config["WEBMENTION_MAX_ATTEMPTS"])) >= int(config["WEBMENTION_QUEUE_MAX"]):
        return Answer(429, "Too many webmentions are waiting to be verified; try again later.")
    store_mention(session, thread.slug, source, target, sender.ip, sender.user_agent, utcnow())
    # Acknowledged only once stored: a restart or crash after the 202 loses nothing.
    session.commit()
    return Answer(202, "The webmention was accepted and will be verified.")


def process(mention: PendingWebmention, policy: Policy) -> str:
    """Verify a stored webmention and create, update or remove the mention it makes; say what happened."""
    found = verify(mention.source, mention.target, policy)
    if found.outcome is Outcome.TRY_LATER:
        raise TryLater(found.reason)
    # The target was matched to its post on receipt; what remains is who sent the mention.
    sender = Sender(site_base="", policy=policy, ip=mention.ip, user_agent=mention.user_agent)
    with database(current_app.config["DATABASE_URL"]).transaction() as session:
        thread = get_thread(session, mention.thread_slug)
        result = "post gone" if thread is None else apply_webmention(session, thread, mention.source, found, sender)
    log.info("kiln linkbacks: webmention from %s to %s: %s", mention.source, mention.target, result)
    return result
