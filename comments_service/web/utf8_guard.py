"""Refuse request data that is not UTF-8 text, or holds a NUL, before any view reads it.

Werkzeug decodes form fields and query strings with errors="replace", so bytes that are not
UTF-8 (%FF, the overlong %C0%AF, the encoded surrogate %ED%A0%80) would reach a view as U+FFFD
and be stored. The raw bytes are checked here instead: the query string and urlencoded bodies
name by name and value by value, each multipart field, and a JSON body as a whole.

A NUL is refused here too, in every field of every request: no field of this service is binary,
PostgreSQL cannot store a NUL in text (it answered 500) while SQLite stored it, and so one rule
for the whole app keeps the two databases alike even where a view (a login, a queue filter)
passes text straight to a query. The other forbidden characters are refused field by field
(text_policy), where each entrance names its own fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, current_app, request
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from ..language.speaking import N_
from ..language.speaking import gettext as _
from ..text.text_policy import CONTROL
from ..text.text_policy import problem as text_problem
from .errors import error_response

# Translators: a field message, after the field's name.
NOT_UTF8 = N_("is not valid UTF-8")


def _pairs(raw: bytes) -> Iterator[tuple[bytes, bytes]]:
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        yield unquote_to_bytes(name), unquote_to_bytes(value)


def _urlencoded_problem(raw: bytes) -> tuple[str, str] | None:
    # Separators are ASCII, so the whole decodes strictly exactly when every piece does: one pass for the usual case.
    whole = unquote_to_bytes(raw)
    if b"\x00" not in whole:
        try:
            whole.decode("utf-8")
            return None
        except UnicodeDecodeError:
            pass
    for name, value in _pairs(raw):
        shown = name.decode("utf-8", "replace")
        for part in (name, value):
            try:
                part.decode("utf-8")
            except UnicodeDecodeError:
                return shown, NOT_UTF8
            if b"\x00" in part:
                return shown, CONTROL
    return None


def _multipart_problem(raw: bytes, boundary: str) -> tuple[str, str] | None:
    decoder = MultipartDecoder(boundary.encode("latin-1"), request.max_form_memory_size)
    decoder.receive_data(raw)
    decoder.receive_data(None)
    name: str | None = None
    chunks: list[bytes] = []
    try:
        while not isinstance(event := decoder.next_event(), (NeedData, Epilogue)):
            if isinstance(event, Field):
                name, chunks = event.name, []
            elif isinstance(event, File):
                # A file's content is bytes by nature; only text fields must be text.
                name = None
            elif isinstance(event, Data) and name is not None:
                chunks.append(event.data)
                if not event.more_data and (problem := _bytes_problem(b"".join(chunks))):
                    return name, problem
    except ValueError:
        # Malformed: Werkzeug's own parser, which runs next, decides what to do with it.
        return None
    return None


def _bytes_problem(value: bytes) -> str | None:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return NOT_UTF8
    return CONTROL if b"\x00" in value else None


def _nul_in(value: Any) -> bool:
    # A loop, not a recursion: a document nested nearly as deep as the parser goes must not overflow here.
    waiting = [value]
    while waiting:
        item = waiting.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, list):
            waiting.extend(item)
        elif isinstance(item, dict):
            waiting.extend(item)
            waiting.extend(item.values())
    return False


def _json_problem(raw: bytes) -> tuple[str, str] | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "body", NOT_UTF8
    # A literal NUL is not valid JSON anyway; only the escape can carry one, so most bodies skip the parse.
    if "\\u0000" not in text:
        return None
    try:
        data = current_app.json.loads(text)
    except ValueError:
        return None
    if isinstance(data, dict):
        return next(((str(key), CONTROL) for key, value in data.items() if _nul_in(key) or _nul_in(value)), None)
    return ("body", CONTROL) if _nul_in(data) else None


def _body_problem() -> tuple[str, str] | None:
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        # Never read a body over the limit; the form parser answers 413 for it.
        return None
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        return _urlencoded_problem(request.get_data(cache=True))
    if mimetype == "multipart/form-data" and (boundary := request.mimetype_params.get("boundary")):
        return _multipart_problem(request.get_data(cache=True), boundary)
    if request.is_json:
        return _json_problem(request.get_data(cache=True))
    return None


def _refuse_bad_text() -> Response | None:
    if text_problem(request.path, one_line=True):
        # A slug or file name never holds a control character: such a path names nothing here.
        return error_response(404, _("There is nothing at this address."))
    found = _urlencoded_problem(request.query_string) if request.query_string else None
    found = found or _body_problem()
    if found is None:
        return None
    name, problem = found
    if problem == NOT_UTF8:
        message = _("The request is not valid UTF-8 (in %(field)s); nothing was stored.", field=repr(name))
    else:
        message = _("The request holds a NUL character (in %(field)s); nothing was stored.", field=repr(name))
    return error_response(400, message, {name: _(problem)})


def init_app(app: Flask) -> None:
    """Check every request's query string and text body before the views (and CSRF) read them."""
    app.before_request(_refuse_bad_text)
