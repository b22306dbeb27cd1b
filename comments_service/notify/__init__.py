"""Email: new comments to moderators with signed one-click links, replies to subscribers, through an outbox."""

from __future__ import annotations

import logging

from flask import Flask

from .mailconf import missing_mail_settings, smtp_settings

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the email-link pages and the event receivers that queue mail."""
    from . import receivers, views

    smtp_settings(app.config)  # a wrong MAIL_SECURITY is a deployment mistake: fail at start, not at send
    if missing := missing_mail_settings(app.config):
        log.warning("kiln: MAIL_HOST is set but email stays off until %s is set", " and ".join(missing))
    app.register_blueprint(views.bp)
    receivers.connect(app)
