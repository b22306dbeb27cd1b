"""Bake from inside the service: find the site from the app's settings and refresh a post."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from ..appctx import this_app
from ..db import session_scope
from .baker import bake_thread
from .requests import pending_bakes
from .site import Site, load_site

log = logging.getLogger(__name__)


def site_of(app: Flask) -> Site:
    """Return the Pelican site this service bakes into."""
    conf = Path(app.config["SITE_DIR"]) / app.config["PELICAN_CONF"]
    auto_close_days = int(app.config["AUTO_CLOSE_DAYS"] or 0)
    return load_site(str(conf), app.config["DATABASE_URL"], app.config["OUTPUT_PATH"], auto_close_days)


def bake_requested(session: Session) -> list[Path]:
    """Bake the posts requested (request_bake) in the transaction this session just committed."""
    app = this_app()
    slugs = pending_bakes(session)
    if not app.config["BAKE_ON_CHANGE"] or not slugs:
        return []
    changed: list[Path] = []
    with session_scope(app.config["DATABASE_URL"]) as bake_session:
        for slug in sorted(slugs):
            changed += bake_thread(bake_session, site_of(app), slug)
    return changed
