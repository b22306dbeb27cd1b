"""Moderation: accounts, login, the queue, threads, the audit log and the actions moderators take."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the server-side login sessions and register the moderation pages."""
    from . import admin, auth, comment_views, thread_views, views
    from .sessions import KilnSessionInterface

    app.session_interface = KilnSessionInterface()
    for module in (auth, views, comment_views, thread_views, admin):
        app.register_blueprint(module.bp)
