"""The three public linkback endpoints: TrackBack, Pingback (XML-RPC) and Webmention."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from ..appctx import this_app
from ..extensions import csrf, db, limiter
from ..store.threads import get_thread
from ..web.errors import error_response, wants_json
from . import pingback, trackback, webmention
from .advertise import PINGBACK_PATH, TRACKBACK_PATH, WEBMENTION_PATH
from .fetcher import policy_from_config
from .receive import Answer, Sender
from .targets import configured_base
from .worker import wake_verifier

bp = Blueprint("linkbacks", __name__, template_folder="templates")


def _limit() -> str:
    return str(current_app.config["LINKBACK_RATE_LIMIT"])


# One budget per client address, shared by the three protocols.
per_address = limiter.shared_limit(_limit, scope="linkbacks")


def _sender() -> Sender:
    return Sender(
        site_base=configured_base(this_app()) or request.url_root,
        policy=policy_from_config(current_app.config),
        ip=request.remote_addr or "",
        user_agent=request.user_agent.string or "",
    )


# These endpoints are machine protocols: the caller is another site's server, which has no session
# here and cannot carry a CSRF token, and nothing is done on a signed-in visitor's behalf. So they are
# exempt from CSRF; their defences are source verification, rate limits and moderation.
@bp.post(TRACKBACK_PATH)
@csrf.exempt
@per_address
def trackback_ping(slug: str) -> Response:
    """Receive a TrackBack ping for a post and answer in TrackBack's XML."""
    session = db()
    answer = trackback.receive(session, get_thread(session, slug), request.form, _sender())
    xml = render_template("linkbacks/trackback.xml", message=answer.message)
    return Response(xml, status=answer.status, mimetype="text/xml")


@bp.post(PINGBACK_PATH)
@csrf.exempt
@per_address
def pingback_call() -> Response:
    """Answer an XML-RPC call to pingback.ping."""
    return Response(pingback.respond(db(), request.get_data(), _sender()), mimetype="text/xml")


@bp.post(WEBMENTION_PATH)
@csrf.exempt
@per_address
def webmention_post() -> Response:
    """Accept a webmention for asynchronous verification (202), or refuse it with the reason."""
    answer = webmention.accept(db(), request.form, _sender())
    if answer.status != 202:
        return error_response(answer.status, answer.message, answer.fields)
    wake_verifier(this_app())
    return _accepted(answer)


def _accepted(answer: Answer) -> Response:
    if wants_json():
        response = jsonify(status="accepted", message=answer.message)
    else:
        response = Response(answer.message + "\n", mimetype="text/plain")
    response.status_code = answer.status
    return response
