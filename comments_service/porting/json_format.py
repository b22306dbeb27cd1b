"""Kiln's own export format: every record in the store as sorted, versioned JSON (docs/export-format.md)."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..store.export_rows import export_rows

FORMAT = "kiln-export"
VERSION = 1

# Each section's fields and their types: str, bool, int, time (ISO 8601 UTC); a trailing ? allows null.
# The store's own row ids are left out except for comments, whose ids are their permalinks (#comment-N).
THREAD_FIELDS = {
    "slug": "str",
    "title": "str",
    "author": "str",
    "url": "str",
    "published": "time?",
    "closed": "bool",
    "closed_by_metadata": "bool",
    "created": "time",
}
COMMENT_FIELDS = {
    "id": "int",
    "thread": "str",
    "parent": "int?",
    "kind": "str",
    "state": "str",
    "author": "str",
    "email": "str",
    "website": "str",
    "body_source": "str",
    "body_format": "str",
    "by_post_author": "bool",
    "notify_replies": "bool",
    "ip": "str",
    "user_agent": "str",
    "source_url": "str",
    "title": "str",
    "blog_name": "str",
    "verdict_reason": "str",
    "origin": "str?",
    "dedupe_key": "str?",
    "created": "time",
    "updated": "time?",
}
USER_FIELDS = {"username": "str", "display_name": "str", "role": "str", "created": "time"}
AUDIT_FIELDS = {
    "at": "time",
    "username": "str",
    "action": "str",
    "comment": "int?",
    "thread": "str",
    "detail": "str",
}
SENT_LINKBACK_FIELDS = {
    "thread": "str",
    "target_url": "str",
    "protocol": "str",
    "endpoint": "str",
    "status": "str",
    "detail": "str",
    "sent_at": "time",
}
# Exported names that differ from the column they come from.
RENAMED = {"thread": "thread_slug", "parent": "parent_id", "comment": "comment_id"}


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _record(row: object, spec: dict[str, str], **given: Any) -> dict[str, Any]:
    return {name: _value(given[name] if name in given else getattr(row, RENAMED.get(name, name))) for name in spec}


def export_store(session: Session) -> dict[str, Any]:
    """Return the whole store as plain data in a stable order (no password hashes, sessions or mail)."""
    slugs, threads, comments, users, audit, sent, corpus, tokens = export_rows(session)
    return {
        "format": FORMAT,
        "version": VERSION,
        "threads": [_record(t, THREAD_FIELDS) for t in threads],
        "comments": [_record(c, COMMENT_FIELDS, thread=slugs[c.thread_id]) for c in comments],
        "users": [_record(u, USER_FIELDS) for u in users],
        "audit_log": [_record(a, AUDIT_FIELDS) for a in audit],
        "sent_linkbacks": [_record(s, SENT_LINKBACK_FIELDS) for s in sent],
        "spam_filter": {
            "spam_docs": corpus.spam_docs if corpus else 0,
            "ham_docs": corpus.ham_docs if corpus else 0,
            "tokens": [list(row) for row in tokens],
        },
    }


def dumps(data: dict[str, Any]) -> str:
    """Serialise an export the same way every time, so equal stores give equal files."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
