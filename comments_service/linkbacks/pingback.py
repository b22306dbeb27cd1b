"""Pingback 1.0: pingback.ping(source, target) over XML-RPC, coded and decoded by the standard library."""

from __future__ import annotations

import xmlrpc.client
from xml.parsers.expat import ExpatError

from sqlalchemy.orm import Session

from ..blog.closing import closed_now
from ..store.linkback_records import find_linkback
from ..store.models import Kind
from ..text.text_policy import field_problems
from .receive import Duplicate, Sender, hold, mention_from
from .source_throttle import source_host_allowed
from .targets import find_target, is_absolute, normalize
from .verify import Outcome, verify

# Fault codes from the Pingback 1.0 specification.
GENERIC = 0
SOURCE_MISSING = 16
SOURCE_NO_LINK = 17
TARGET_MISSING = 32
TARGET_INVALID = 33
ALREADY_REGISTERED = 48
ACCESS_DENIED = 49
# The usual XML-RPC interoperability codes for a malformed call.
PARSE_ERROR, NO_SUCH_METHOD, BAD_PARAMS = -32700, -32601, -32602
URL_MAX = 2000

FAULTS = {
    Outcome.NO_LINK: (SOURCE_NO_LINK, "The source does not link to the target."),
    Outcome.GONE: (SOURCE_MISSING, "The source does not exist."),
    Outcome.MISSING: (SOURCE_MISSING, "The source does not exist."),
    # Unreachable, refused, too slow or too big all look alike, so a caller cannot map our network.
    Outcome.UNAVAILABLE: (GENERIC, "The source could not be checked."),
    Outcome.TRY_LATER: (GENERIC, "The source could not be checked."),
}


def respond(session: Session, body: bytes, sender: Sender) -> bytes:
    """Answer one XML-RPC request: a method response or a fault, as XML."""
    try:
        params, method = xmlrpc.client.loads(body, use_builtin_types=True)
    except (ExpatError, xmlrpc.client.Error, ValueError, TypeError):
        return _fault(xmlrpc.client.Fault(PARSE_ERROR, "The request is not a valid XML-RPC call."))
    if method != "pingback.ping":
        return _fault(xmlrpc.client.Fault(NO_SUCH_METHOD, "The only method here is pingback.ping."))
    source, target = params if len(params) == 2 else (None, None)
    if not isinstance(source, str) or not isinstance(target, str):
        return _fault(xmlrpc.client.Fault(BAD_PARAMS, "pingback.ping takes two strings: source and target."))
    if problems := field_problems({"source": source, "target": target}, one_line=("source", "target")):
        said = "; ".join(f"the {name} {problem}" for name, problem in problems.items())
        return _fault(xmlrpc.client.Fault(BAD_PARAMS, f"pingback.ping was not accepted: {said}."))
    try:
        message = ping(session, source.strip(), target.strip(), sender)
    except xmlrpc.client.Fault as fault:
        return _fault(fault)
    return xmlrpc.client.dumps((message,), methodresponse=True, encoding="utf-8").encode()


def _fault(fault: xmlrpc.client.Fault) -> bytes:
    return xmlrpc.client.dumps(fault, methodresponse=True, encoding="utf-8").encode()


def ping(session: Session, source: str, target: str, sender: Sender) -> str:
    """Check a pingback and hold it for moderation, or raise the fault the specification names."""
    match = find_target(session, target, sender.site_base)
    if not match.on_our_site:
        raise xmlrpc.client.Fault(TARGET_INVALID, "The target is not on this site.")
    thread = match.thread
    if thread is None:
        raise xmlrpc.client.Fault(TARGET_MISSING, "The target does not exist.")
    if closed_now(thread):
        raise xmlrpc.client.Fault(TARGET_INVALID, "Pingbacks on this post are closed.")
    if len(source) > URL_MAX or not is_absolute(source):
        raise xmlrpc.client.Fault(SOURCE_MISSING, "The source is not an http or https URL.")
    if normalize(source) == normalize(target):
        raise xmlrpc.client.Fault(GENERIC, "The source and the target are the same page.")
    if not source_host_allowed(source):
        raise xmlrpc.client.Fault(ACCESS_DENIED, "Too many pings from that site; try again later.")
    if find_linkback(session, thread, source) is not None:
        raise xmlrpc.client.Fault(ALREADY_REGISTERED, "The pingback has already been registered.")
    found = verify(source, target, sender.policy)
    if found.outcome is not Outcome.LINKS:
        raise xmlrpc.client.Fault(*FAULTS[found.outcome])
    try:
        hold(session, thread, mention_from(Kind.PINGBACK, source, found), sender)
    except Duplicate as error:
        raise xmlrpc.client.Fault(ALREADY_REGISTERED, "The pingback has already been registered.") from error
    return "Thank you: the pingback is held for moderation."
