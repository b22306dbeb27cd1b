"""TrackBack 1.2: a form-encoded ping for one post, checked against the page it names."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from ..blog.closing import closed_now
from ..store.linkback_records import find_linkback
from ..store.models import Kind, Thread
from ..text.text_policy import field_problems
from .receive import Answer, Duplicate, Sender, hold, mention_from
from .source_throttle import source_host_allowed
from .targets import is_absolute, post_url
from .verify import Outcome, verify

URL_MAX = 2000
FIELDS = ("url", "title", "excerpt", "blog_name")
# A title or an excerpt may span lines (plain_text joins them); an address and a name may not.
ONE_LINE = frozenset({"url", "blog_name"})
REFUSALS = {
    Outcome.NO_LINK: "The page at that URL does not link to this post.",
    Outcome.GONE: "The page at that URL does not exist.",
    Outcome.MISSING: "The page at that URL does not exist.",
    Outcome.UNAVAILABLE: "The page at that URL could not be fetched.",
    Outcome.TRY_LATER: "The page at that URL could not be fetched.",
}


def receive(session: Session, thread: Thread | None, form: Mapping[str, str], sender: Sender) -> Answer:
    """Check a TrackBack ping for a post and hold it for moderation."""
    if thread is None:
        return Answer(404, "There is no post with that address.")
    if closed_now(thread):
        return Answer(403, "Trackbacks on this entry are closed.")
    sent = {name: form.get(name) or "" for name in FIELDS}
    if problems := field_problems(sent, ONE_LINE):
        return Answer(400, "The ping was not accepted: " + _listed(problems), problems)
    url = sent["url"].strip()
    if not url:
        return Answer(400, "The url field is required.", {"url": "is required"})
    if len(url) > URL_MAX or not is_absolute(url):
        return Answer(400, "The url must be an absolute http or https URL.", {"url": "is not an http(s) URL"})
    if not source_host_allowed(url):
        return Answer(429, "Too many pings from that site; try again later.")
    if find_linkback(session, thread, url) is not None:
        return Answer(409, "This post already has a trackback from that URL.")
    found = verify(url, post_url(sender.site_base, thread), sender.policy)
    if found.outcome is not Outcome.LINKS:
        return Answer(400, REFUSALS[found.outcome])
    given = {name: sent[name] for name in ("title", "excerpt", "blog_name")}
    try:
        hold(session, thread, mention_from(Kind.TRACKBACK, url, found, **given), sender)
    except Duplicate:
        return Answer(409, "This post already has a trackback from that URL.")
    return Answer(200, "")


def _listed(problems: dict[str, str]) -> str:
    # TrackBack's XML answer carries one message, so it names each field itself.
    return "; ".join(f"{name} {problem}" for name, problem in problems.items()) + "."
