"""Logging moderators in and out, and guarding the moderation routes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, session, url_for

from ..accounts import authenticate
from ..db import db
from ..errors import error_response, wants_json
from ..extensions import limiter
from ..models import User

bp = Blueprint("auth", __name__, url_prefix="/moderate")
F = TypeVar("F", bound=Callable[..., Any])


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
    """Put the logged-in account, if any, on g.user."""
    user_id = session.get("user_id")
    g.user = db().get(User, user_id) if user_id is not None else None


def login_required(view: F) -> F:
    """Refuse a view to anyone not logged in: 401 for API clients, the login page for browsers."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if g.user is None:
            if wants_json():
                return error_response(401, "Log in first.")
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Response | str:
    """Show the login form, or log a moderator in."""
    if request.method == "POST":
        user = authenticate(db(), request.form.get("username", ""), request.form.get("password", ""))
        if user is None:
            flash("Wrong username or password.", "error")
            return Response(render_template("login.html"), status=401)
        # A fresh session at login, so a session id planted before login is worthless.
        session.clear()
        session["user_id"] = user.id
        return redirect(safe_next(request.args.get("next")), code=303)  # type: ignore[return-value]
    return render_template("login.html")


@bp.post("/logout")
def logout() -> Response:
    """Log the moderator out."""
    session.clear()
    return redirect(url_for("auth.login"), code=303)  # type: ignore[return-value]
