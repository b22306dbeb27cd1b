"""Answer 413 to a chunked request body over MAX_CONTENT_LENGTH, as to one whose Content-Length says so."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import LimitedStream


def _refuse_long_streams() -> None:
    # Werkzeug stops reading a chunked body at MAX_CONTENT_LENGTH but hands the
    # cut-off part to the form parser without complaint. Reading it first (it is
    # cached for the parser) shows whether the sender had more to send.
    if request.content_length is not None or request.headers.get("Transfer-Encoding", "").lower() != "chunked":
        return
    request.get_data(cache=True)
    stream = request.stream
    if isinstance(stream, LimitedStream) and stream.is_exhausted and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def init_app(app: Flask) -> None:
    """Check chunked bodies before any other hook reads the form."""
    app.before_request(_refuse_long_streams)
