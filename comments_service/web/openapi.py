"""Serve the OpenAPI 3.1 description of the public HTTP interface, shipped beside this module."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files

from flask import Blueprint, Response, request

bp = Blueprint("openapi", __name__)

# Clients may keep the description an hour and then revalidate it by its ETag, which changes
# with every release that changes the file.
MAX_AGE = 3600


@cache
def description() -> bytes:
    """Return the description's JSON as shipped in the package."""
    return files("comments_service.web").joinpath("openapi.json").read_bytes()


@bp.get("/openapi.json")
def openapi() -> Response:
    """Send the OpenAPI description, cacheable and revalidated by its ETag."""
    body = description()
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.make_conditional(request)  # a 304 when the client's copy has this ETag
    return response
