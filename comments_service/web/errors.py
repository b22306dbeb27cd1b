"""One error shape: JSON {"message": …} for API clients, a plain page for browsers."""

from __future__ import annotations

import logging
import math
import time
from functools import lru_cache

from flask import Flask, Response, jsonify, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

from ..extensions import limiter
from ..language.speaking import N_, ngettext
from ..language.speaking import gettext as _

log = logging.getLogger(__name__)


# Clients send few distinct Accept headers, and parsing one cost more than the rest of an error
# answer: the decision is remembered per header text (a bounded number of them, so odd headers
# cannot grow it), made exactly as request.accept_mimetypes would make it.
@lru_cache(maxsize=128)
def prefers_json(accept: str | None) -> bool:
    """Tell whether an Accept header ranks JSON above HTML."""
    mimetypes = parse_accept_header(accept, MIMEAccept)
    best = mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and mimetypes[best] > mimetypes["text/html"]


def wants_json() -> bool:
    """Tell whether the client asked for JSON rather than a page (or sent JSON, as API clients do)."""
    return request.is_json or prefers_json(request.headers.get("Accept"))


def error_response(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    """Build the error answer in the form the client asked for."""
    if wants_json():
        body: dict[str, object] = {"message": message}
        if fields:
            body["errors"] = fields
        response = jsonify(body)
    else:
        html = render_template("error.html", status=status, message=message, fields=fields or {})
        response = Response(html, mimetype="text/html")
    response.status_code = status
    return response


# Werkzeug's own descriptions are English: what a client is told when a view gave none of its own.
DESCRIPTIONS = {
    400: N_("The request could not be understood."),
    401: N_("Log in first."),
    403: N_("You are not allowed to do that."),
    404: N_("There is nothing at this address."),
    405: N_("This address does not take that kind of request."),
    409: N_("The request conflicts with what is stored now."),
    413: N_("The request is too large."),
    429: N_("Too many requests; please wait a while and try again."),
}


def _description(error: HTTPException) -> str:
    # A view's own description is already in the answer's language; the class default is not.
    if error.description and error.description != type(error).description:
        return error.description
    if (code := error.code) in DESCRIPTIONS:
        return _(DESCRIPTIONS[code])
    return error.description or error.name


def _http_error(error: HTTPException) -> Response:
    response = error_response(error.code or 500, _description(error))
    for name, value in error.get_headers() if error.code in (405, 429) else []:
        if name.lower() in {"allow", "retry-after"}:
            response.headers[name] = value
    return response


def rate_limit_refusal() -> tuple[str, int | None]:
    """Return what a client over a rate limit is told, and in how many seconds it may try again (if known)."""
    # Flask-Limiter's own headers are off (they cost a storage round trip on every answer),
    # so the refusal says itself when the breached limit's window lets the address in again.
    breached = limiter.current_limit
    if breached is None:
        return _(DESCRIPTIONS[429]), None
    wait = max(1, math.ceil(breached.reset_at - time.time()))
    message = ngettext(
        "Too many requests; please try again in %(num)s second.",
        "Too many requests; please try again in %(num)s seconds.",
        wait,
    )
    return message, wait


def _rate_limited(error: RateLimitExceeded) -> Response:
    message, wait = rate_limit_refusal()
    response = error_response(429, message)
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response


def _csrf_error(error: CSRFError) -> Response:
    # Flask-WTF's reason ("The CSRF token has expired.") is English only: the page says what to do instead.
    return error_response(400, _("The form's security token is missing or has expired; reload the page and try again."))


def _database_unavailable(error: OperationalError) -> Response:
    # A lost or refused database connection is transient: nothing was stored (the
    # transaction rolled back), so the client is told to try again, not that we broke.
    log.error("kiln: database unavailable: %s", error)
    response = error_response(503, _("The comment service cannot reach its database; nothing was stored. Try again."))
    response.headers["Retry-After"] = "5"
    return response


def init_app(app: Flask) -> None:
    """Answer every HTTP error in the one error shape."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
