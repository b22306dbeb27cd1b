"""Serve the built site from the service, for `make run` (production uses a web server)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, request, send_from_directory

from .appctx import this_app
from .baking.trigger import site_of
from .linkbacks.advertise import add_discovery_headers

bp = Blueprint("site_files", __name__)


@bp.get("/", defaults={"filename": "index.html"})
@bp.get("/<path:filename>")
def page(filename: str) -> Response:
    """Serve one file of the built site."""
    output: Path = site_of(this_app()).output
    if filename.endswith("/"):
        filename += "index.html"
    if any(part.startswith(".") for part in Path(filename).parts):
        abort(404)
    response = send_from_directory(output, filename, max_age=0)
    add_discovery_headers(response, request.host_url)
    return response
