"""Webmention (W3C Recommendation): validate at once, answer 202, verify the source in the background."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial

from flask import current_app
from sqlalchemy.orm import Session

from ..closing import closed_now
from ..db import session_scope
from ..store import get_thread
from .fetcher import url_is_fetchable
from .receive import Answer, Sender, apply_webmention
from .targets import find_target, is_absolute, normalize
from .throttle import source_host_allowed
from .verify import verify
from .worker import VerificationQueue

log = logging.getLogger(__name__)
URL_MAX = 2000


def _url_problem(value: str) -> str | None:
    if not value:
        return "is required"
    if len(value) > URL_MAX or not is_absolute(value):
        return "must be an absolute http or https URL"
    return None


def accept(session: Session, form: Mapping[str, str], sender: Sender, queue: VerificationQueue) -> Answer:
    """Validate a webmention and queue its verification, or say why it is refused."""
    source, target = (form.get("source") or "").strip(), (form.get("target") or "").strip()
    fields = {
        name: problem for name, value in (("source", source), ("target", target)) if (problem := _url_problem(value))
    }
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
    if not queue.submit(partial(process, thread.slug, source, target, sender)):
        return Answer(429, "Too many webmentions are waiting to be verified; try again later.")
    return Answer(202, "The webmention was accepted and will be verified.")


def process(slug: str, source: str, target: str, sender: Sender) -> str:
    """Verify a queued webmention and create, update or remove the stored mention; say what happened."""
    found = verify(source, target, sender.policy)
    with session_scope(current_app.config["DATABASE_URL"]) as session:
        thread = get_thread(session, slug)
        result = "post gone" if thread is None else apply_webmention(session, thread, source, found, sender)
    log.info("kiln linkbacks: webmention from %s to %s: %s", source, target, result)
    return result
