"""Read a Kiln export file and check every record's fields before anything touches the store."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..store.models import Kind, Role, State
from ..submission.validation import website_problem
from ..text.text_policy import CONTROL, field_problems
from .json_format import (
    AUDIT_FIELDS,
    COMMENT_FIELDS,
    FORMAT,
    SENT_LINKBACK_FIELDS,
    THREAD_FIELDS,
    USER_FIELDS,
    VERSION,
)
from .plan import PortingError

SECTIONS = {
    "threads": THREAD_FIELDS,
    "comments": COMMENT_FIELDS,
    "users": USER_FIELDS,
    "audit_log": AUDIT_FIELDS,
    "sent_linkbacks": SENT_LINKBACK_FIELDS,
}
CHOICES = {
    ("comments", "kind"): {k.value for k in Kind},
    ("comments", "state"): {s.value for s in State},
    ("comments", "body_format"): {"markdown", "html", "text"},
    ("users", "role"): {r.value for r in Role},
}
TYPES: dict[str, type | tuple[type, ...]] = {"str": str, "bool": bool, "int": int, "time": str}
# Fields that came in through an entrance applying the text policy, and whether each is one line:
# an export holding what Kiln refuses at the door is refused, as it would be refused from a reader.
POLICED = {
    ("comments", "author"): True,
    ("comments", "email"): True,
    ("comments", "website"): True,
    ("comments", "source_url"): True,
    ("comments", "blog_name"): True,
    ("comments", "title"): False,
    ("comments", "body_source"): False,
    ("users", "username"): True,
    ("users", "display_name"): True,
}


def read_export(text: str, name: str) -> dict[str, Any]:
    """Parse and check an export; every problem names its place (line and column, or record and field)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise PortingError(f"{name}: line {error.lineno}, column {error.colno}: {error.msg}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PortingError(f'{name}: not a Kiln export (no "format": "{FORMAT}")')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise PortingError(f"{name}: export format version {version!r}; this Kiln reads version 1 to {VERSION}")
    checked: dict[str, Any] = {}
    for section, spec in SECTIONS.items():
        records = data.get(section)
        if not isinstance(records, list):
            raise PortingError(f"{name}: {section}: expected a list")
        checked[section] = [_record(r, spec, f"{name}: {section}[{i}]", section) for i, r in enumerate(records)]
    checked["spam_filter"] = _spam_filter(data.get("spam_filter"), f"{name}: spam_filter")
    _check_references(checked, name)
    return checked


def _record(record: Any, spec: dict[str, str], where: str, section: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise PortingError(f"{where}: expected an object")
    unknown = sorted(set(record) - set(spec))
    if unknown:
        raise PortingError(f"{where}: unknown field {unknown[0]!r}")
    out = {}
    for field, kind in spec.items():
        if field not in record:
            raise PortingError(f"{where}: field {field!r} is missing")
        out[field] = _field(record[field], kind, f"{where}.{field}")
        if (section, field) in POLICED and (
            problems := field_problems({field: out[field]}, (field,) if POLICED[section, field] else ())
        ):
            raise PortingError(f"{where}.{field}: {problems[field]}")
        if section == "comments" and field in ("website", "source_url") and out[field] and website_problem(out[field]):
            raise PortingError(f"{where}.{field}: {website_problem(out[field])}")
        allowed = CHOICES.get((section, field))
        if allowed and out[field] not in allowed:
            raise PortingError(f"{where}.{field}: {out[field]!r} is not one of {', '.join(sorted(allowed))}")
    return out


def _field(value: Any, kind: str, where: str) -> Any:
    base = kind.rstrip("?")
    if value is None:
        if kind.endswith("?"):
            return None
        raise PortingError(f"{where}: must not be null")
    # bool is an int in Python; an id must not be true.
    if not isinstance(value, TYPES[base]) or (base == "int" and isinstance(value, bool)):
        raise PortingError(f"{where}: expected {base}, got {type(value).__name__}")
    if isinstance(value, str) and "\x00" in value:
        # No text column of PostgreSQL can hold a NUL; refused here, SQLite does not store one either.
        raise PortingError(f"{where}: {CONTROL}")
    if base == "time":
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError as error:
            raise PortingError(f"{where}: {value!r} is not an ISO 8601 time") from error
        if moment.tzinfo is None:
            raise PortingError(f"{where}: {value!r} has no time zone")
        return moment
    return value


def _spam_filter(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PortingError(f"{where}: expected an object")
    counts = {key: _field(value.get(key), "int", f"{where}.{key}") for key in ("spam_docs", "ham_docs")}
    tokens = value.get("tokens")
    if not isinstance(tokens, list):
        raise PortingError(f"{where}.tokens: expected a list")
    for index, token in enumerate(tokens):
        shape = [str, int, int]
        if (
            not isinstance(token, list)
            or len(token) != 3
            or not all(isinstance(v, t) for v, t in zip(token, shape, strict=True))
        ):
            raise PortingError(f"{where}.tokens[{index}]: expected [token, spam count, ham count]")
    return {**counts, "tokens": tokens}


def _check_references(data: dict[str, Any], name: str) -> None:
    slugs = {t["slug"] for t in data["threads"]}
    ids: set[int] = set()
    for index, comment in enumerate(data["comments"]):
        if comment["id"] in ids:
            raise PortingError(f"{name}: comments[{index}].id: {comment['id']} is used twice")
        ids.add(comment["id"])
    for index, comment in enumerate(data["comments"]):
        where = f"{name}: comments[{index}]"
        if comment["thread"] not in slugs:
            raise PortingError(f"{where}.thread: no thread {comment['thread']!r} in the file")
        if comment["parent"] is not None and comment["parent"] not in ids:
            raise PortingError(f"{where}.parent: no comment {comment['parent']} in the file")
