"""Moderation: accounts, login, the queue, threads, the audit log and the actions moderators take."""

from __future__ import annotations

from flask import Flask, current_app

from ..blog.identity import identity_of
from ..store.moderation_queue import excerpt


def _site_link(path: str) -> str:
    """Return the URL of a page of the site, as the site's identity names it."""
    return identity_of(current_app).site_link(path)


def offered_actions(state: str) -> tuple[str, ...]:
    """Return the actions a comment in this state offers (WordPress's row actions)."""
    from ..store.models import State
    from .actions import OFFERED

    return OFFERED[State(state)]


def init_app(app: Flask) -> None:
    """Install the server-side login sessions, the labels the pages show, and register the moderation pages."""
    from . import admin, auth, comment_views, labels, thread_views, views
    from .sessions import KilnSessionInterface

    app.session_interface = KilnSessionInterface()
    # A global, not a context value: the pages' macros are imported without their context.
    app.jinja_env.globals["site_link"] = _site_link
    app.jinja_env.globals["pending_count"] = views.pending_count
    app.jinja_env.globals["offered_actions"] = offered_actions
    app.jinja_env.filters["excerpt"] = excerpt
    labels.install(app)
    for module in (auth, views, comment_views, thread_views, admin):
        app.register_blueprint(module.bp)
