"""Logging moderators in and out, and guarding the moderation routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from ..extensions import db, limiter
from ..language.speaking import gettext as _
from ..store.login_failures import forget_failures
from ..store.models import utcnow
from ..web.errors import error_response, wants_json
from ..web.languages import speak_for_person
from .accounts import AccountError, authenticate, choose_language
from .login_throttle import record_failure, retry_after
from .responses import done
from .sessions import revoke, start_session, user_for_token

bp = Blueprint("auth", __name__, url_prefix="/moderate")
F = TypeVar("F", bound=Callable[..., Any])
_TOKEN = "auth"
# The pages that speak their moderator's language; a reader's page speaks its post's even to a logged-in moderator.
_MODERATION_PAGES = "/moderate/"


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def safe_next(target: str | None) -> str:
    """Return target if it is a path on this site, else the queue."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("moderation.queue")


@bp.before_app_request
def load_user() -> None:
    """Put the account of a live login, if any, on g.user, and speak its language on the moderation pages."""
    token = session.get(_TOKEN)
    g.user = None
    if isinstance(token, str):
        max_age = timedelta(hours=float(current_app.config["LOGIN_SESSION_HOURS"]))
        g.user = user_for_token(db(), token, max_age)
    if g.user is not None and request.path.startswith(_MODERATION_PAGES):
        speak_for_person(current_app, g.user.language)


def login_required(view: F) -> F:
    """Refuse a view to anyone not logged in: 401 for API clients, the login page for browsers."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if g.user is None:
            if wants_json():
                return error_response(401, _("Log in first."))
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def _refused(status: int, message: str, retry: int | None = None) -> Response:
    if wants_json():
        response = error_response(status, message)
    else:
        flash(message, "error")
        response = Response(render_template("login.html"), status=status)
    if retry is not None:
        response.headers["Retry-After"] = str(retry)
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Response | str:
    """Show the login form, or log a moderator in."""
    if request.method == "GET":
        return render_template("login.html")
    store, config = db(), current_app.config
    username, password = request.form.get("username", ""), request.form.get("password", "")
    ip, now = request.remote_addr or "", utcnow()
    window = timedelta(seconds=float(config["LOGIN_FAILURE_WINDOW"]))
    # Checked before the password, so a right guess after too many wrong ones reveals nothing.
    wait = retry_after(store, username, ip, now, int(config["LOGIN_MAX_FAILURES"]), window)
    if wait is not None:
        return _refused(429, _("Too many failed logins. Try again later."), wait)
    user = authenticate(store, username, password)
    if user is None:
        record_failure(store, username, ip, now, window)
        store.commit()
        return _refused(401, _("Wrong username or password."))
    forget_failures(store, username)
    if isinstance(previous := session.get(_TOKEN), str):
        revoke(store, previous)
    token = start_session(store, user)
    store.commit()
    # A fresh session (and CSRF token) at login, so nothing planted before login carries over.
    session.clear()
    session[_TOKEN] = token
    return redirect(safe_next(request.args.get("next")), code=303)  # type: ignore[return-value]


@bp.post("/logout")
def logout() -> Response:
    """Log the moderator out and end the login on the server, so a copied cookie is worthless."""
    if isinstance(token := session.get(_TOKEN), str):
        revoke(db(), token)
        db().commit()
    session.clear()
    return redirect(url_for("auth.login"), code=303)  # type: ignore[return-value]


@bp.post("/language")
@login_required
def language() -> Response:
    """Set the language the logged-in account reads Kiln in ("" for its browser's), and go back."""
    chosen = request.form.get("language", "")
    try:
        choose_language(db(), g.user, g.user, chosen)
    except AccountError as error:
        abort(400, description=str(error))
    db().commit()
    # The confirmation already speaks the new choice.
    speak_for_person(current_app, chosen)
    return done(_("Your language is saved."), language=chosen)
