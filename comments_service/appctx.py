"""The real Flask app behind current_app, for code that outlives the request or keys caches on it."""

from __future__ import annotations

from flask import Flask, current_app


def this_app() -> Flask:
    """Return the app object itself rather than the context-local proxy."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app
