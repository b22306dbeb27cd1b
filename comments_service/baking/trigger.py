"""Bake from inside the service: find the site from the app's settings and refresh a post."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app

from ..db import session_scope
from .baker import bake_thread
from .site import Site, load_site

log = logging.getLogger(__name__)


def site_of(app: Flask) -> Site:
    """Return the Pelican site this service bakes into."""
    conf = Path(app.config["SITE_DIR"]) / app.config["PELICAN_CONF"]
    return load_site(str(conf), app.config["DATABASE_URL"], app.config["OUTPUT_PATH"])


def bake_after_change(slug: str) -> list[Path]:
    """Bake a post right after a committed moderation change, if baking is on."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["BAKE_ON_CHANGE"]:
        return []
    with session_scope(app.config["DATABASE_URL"]) as session:
        return bake_thread(session, site_of(app), slug)
