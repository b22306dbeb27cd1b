"""Serve the built site from the service, as a static web server would, for `make run` (production uses one)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, redirect, request, send_from_directory
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect
from werkzeug.security import safe_join

from .appctx import this_app
from .baking.trigger import site_of
from .extensions import csrf
from .linkbacks.advertise import add_discovery_headers

bp = Blueprint("site_files", __name__)

READ_METHODS = frozenset({"GET", "HEAD"})
# The catch-all takes every method, so that a path no route of the service knows is answered as a
# web server answers it (404, or 405 for a file), never with the router's 405 for the catch-all.
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _service_routes(app: Flask) -> Map:
    """Return (built once) the service's own routes, without the site's catch-all."""
    routes: Map | None = app.extensions.get("kiln_service_routes")
    if routes is None:
        own = [rule.empty() for rule in app.url_map.iter_rules() if rule.endpoint != "site_files.page"]
        routes = Map(own, converters=app.url_map.converters, strict_slashes=app.url_map.strict_slashes)
        app.extensions["kiln_service_routes"] = routes
    return routes


def _service_methods(path: str) -> list[str]:
    """Return the methods a route of the service takes at path; empty when none of them matches it."""
    try:
        _service_routes(this_app()).bind("localhost").match(path, method="--")
    except MethodNotAllowed as error:
        return sorted(error.valid_methods or [])
    except (NotFound, RequestRedirect):
        return []
    return []


def _file_name(filename: str) -> str | None:
    """Return the output file a request path names, or None for a path that stays private."""
    if any(part.startswith(".") for part in Path(filename).parts):
        return None  # dot-files (the manifest, the lock) and dot-segments, however they were written
    return filename + "index.html" if filename == "" or filename.endswith("/") else filename


def _existing(output: Path, name: str | None) -> Path | None:
    """Return the path of an existing file or folder inside output, or None."""
    joined = safe_join(str(output), name) if name is not None else None
    return Path(joined) if joined is not None and Path(joined).exists() else None


# A static file server changes nothing, so there is no form to protect: CSRF does not apply.
@bp.route("/", methods=ANY_METHOD)
@bp.route("/<path:filename>", methods=ANY_METHOD)
@csrf.exempt
def page(filename: str = "") -> Response:
    """Serve one file of the built site; a path one of the service's routes takes is theirs."""
    if allowed := _service_methods(request.path):
        raise MethodNotAllowed(valid_methods=allowed)
    output: Path = site_of(this_app()).output
    name = _file_name(filename)
    found = _existing(output, name)
    if name is None or found is None:
        abort(404)
    if found.is_dir():
        # A folder asked for without its slash: a web server points the browser at the folder.
        return redirect(request.script_root + request.path + "/", code=301)  # type: ignore[return-value]
    if request.method not in READ_METHODS:
        raise MethodNotAllowed(valid_methods=sorted(READ_METHODS))
    response = send_from_directory(output, name, max_age=0)
    add_discovery_headers(response, request.host_url)
    return response
