"""How moderation views answer: JSON for API clients, a flash and a redirect back for browsers."""

from __future__ import annotations

from flask import Response, current_app, flash, jsonify, redirect, request, session, url_for

from ..language.speaking import gettext as _
from ..language.speaking import ngettext
from ..text.text_policy import problem as text_problem
from ..web.errors import error_response, wants_json
from .labels import field_label


def done(message: str, **result: object) -> Response:
    """Report a completed change and send the browser back where it came from."""
    return done_at(back(), message, **result)


# Confirmations wait in the session cookie until a page shows them; a client that never looks
# (a script posting action after action) must not grow the cookie past what browsers keep.
_KEPT_FLASHES = 4


def done_at(target: str, message: str, **result: object) -> Response:
    """Report a completed change and send the browser to target (the page it was on may be gone)."""
    if wants_json():
        return jsonify(result)
    flash(message, "success")
    waiting = session.get("_flashes", [])
    if len(waiting) > _KEPT_FLASHES:
        session["_flashes"] = waiting[-_KEPT_FLASHES:]
    return redirect(target, code=303)  # type: ignore[return-value]


def refused(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    """Report a change that was not made: the error for API clients, a flash and back for browsers."""
    if wants_json():
        return error_response(status, message, fields)
    problems = (
        _("%(field)s: %(problem)s.", field=field_label(name), problem=problem)
        for name, problem in (fields or {}).items()
    )
    flash(" ".join([message, *problems]), "error")
    return redirect(back(), code=303)  # type: ignore[return-value]


def back() -> str:
    """Return the page the request came from if it is on this site, else the queue."""
    referrer = request.referrer
    if referrer and referrer.startswith(request.host_url):
        return referrer
    return url_for("moderation.queue")


def body_problem(body: str) -> str | None:
    """Say what is wrong with a body a moderator typed (as sent, before trimming), if anything."""
    if problem := text_problem(body):
        return _(problem)
    if not body.strip():
        return _("is required")
    limit = int(current_app.config["BODY_MAX"])
    if len(body.strip()) > limit:
        return ngettext("must be at most %(num)s character", "must be at most %(num)s characters", limit)
    return None
