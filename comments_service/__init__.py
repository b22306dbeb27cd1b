"""Kiln's comment service: accepts, moderates and bakes comments into a Pelican site."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli, moderation, notify, spam
from .background import start as background
from .baking.trigger import BakeThread
from .config import load_config
from .extensions import csrf, init_request_database, limiter
from .linkbacks.worker import WebmentionVerifier
from .notify.sender import MailSender
from .web import body_limit, errors, languages, utf8_guard
from .web.bounded_json import BoundedJSONProvider
from .web.ids import IdConverter


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the comment service."""
    app = Flask(__name__, instance_relative_config=True)
    app.json = BoundedJSONProvider(app)
    load_config(app, test_config)
    # Before any blueprint's routes: `<id:…>` in them takes only ids a database column can hold.
    app.url_map.converters["id"] = IdConverter
    if app.config["TRUSTED_PROXIES"]:
        count = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    # First: every later hook's answer (413, 400, CSRF, 429) speaks the request's language.
    languages.init_app(app)
    body_limit.init_app(app)
    utf8_guard.init_app(app)
    init_request_database(app)
    csrf.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)
    spam.init_app(app)
    cli.init_app(app)
    # Every kind of background work, started together in each process: see background/start.py.
    background.init_app(app, (BakeThread, MailSender, WebmentionVerifier))

    from .linkbacks import views as linkback_views
    from .submission import reader_views
    from .submission import views as submission_views
    from .web import openapi

    app.register_blueprint(submission_views.bp)
    app.register_blueprint(reader_views.bp)
    moderation.init_app(app)
    notify.init_app(app)
    app.register_blueprint(linkback_views.bp)
    app.register_blueprint(openapi.bp)
    if app.config["SERVE_SITE"]:
        from . import site_files

        app.register_blueprint(site_files.bp)
    return app
