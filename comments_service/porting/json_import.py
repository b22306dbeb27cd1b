"""Load a checked Kiln export into a store, adding only what is not there yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..store.import_queries import (
    advance_comment_ids,
    all_comments,
    all_threads,
    all_users,
    audit_values,
    sent_linkback_keys,
    spam_filter_trained,
    taken_comment_ids,
)
from ..store.models import AuditEntry, Comment, Kind, Role, SentLinkback, SpamCorpus, SpamToken, State, Thread, User
from ..store.spam_tokens import corpus_changed
from ..text.sanitize import render_body
from .json_format import RENAMED
from .plan import PortingError
from .summary import Summary

# Password hashes are never exported; an imported account cannot log in until it is given a password.
LOCKED = "!locked"
R = TypeVar("R", User, Thread)


def import_export(session: Session, data: dict[str, Any], summary: Summary, progress: Callable[[int], None]) -> None:
    """Add the export's records that the store lacks; the caller commits or rolls back."""
    users = _users(session, data["users"], summary)
    threads = _threads(session, data["threads"], summary)
    ids = _comments(session, data["comments"], threads, summary, progress)
    _audit(session, data["audit_log"], users, ids, summary)
    _sent_linkbacks(session, data["sent_linkbacks"], summary)
    _spam_filter(session, data["spam_filter"], summary)


def _columns(record: dict[str, Any], leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    return {RENAMED.get(k, k): v for k, v in record.items() if k not in leave_out}


def _users(session: Session, records: list[dict[str, Any]], summary: Summary) -> dict[str, User]:
    found = {u.username: u for u in all_users(session)}

    def locked_user(record: dict[str, Any]) -> User:
        return User(**_columns(record, ("role",)), role=Role(record["role"]), password_hash=LOCKED)

    labels = ("accounts already there", "accounts (locked until given a password)")
    return _add_missing(session, records, "username", found, locked_user, labels, summary)


def _threads(session: Session, records: list[dict[str, Any]], summary: Summary) -> dict[str, Thread]:
    found = {t.slug: t for t in all_threads(session)}
    return _add_missing(
        session, records, "slug", found, lambda record: Thread(**record), ("threads already there", "threads"), summary
    )


def _add_missing(
    session: Session,
    records: list[dict[str, Any]],
    key: str,
    found: dict[str, R],
    make: Callable[[dict[str, Any]], R],
    labels: tuple[str, str],
    summary: Summary,
) -> dict[str, R]:
    """Add the records whose key the store lacks, made into rows by make; return every row by key."""
    skipped, added = labels
    for record in records:
        if record[key] in found:
            summary.skip(skipped, record[key])
            continue
        found[record[key]] = row = make(record)
        session.add(row)
        summary.add(added)
    session.flush()
    return found


def _natural_key(thread_id: int, row: Any) -> tuple[Any, ...]:
    return (thread_id, row["created"], row["kind"], row["author"], row["email"], row["body_source"], row["source_url"])


def _comments(
    session: Session,
    records: list[dict[str, Any]],
    threads: dict[str, Thread],
    summary: Summary,
    progress: Callable[[int], None],
) -> dict[int, int]:
    """Insert new comments (keeping their ids when none is taken) and return old id → store id."""
    existing: dict[Any, int] = {}
    for row in all_comments(session):
        values = {"created": row.created, "kind": row.kind.value, "author": row.author, "email": row.email}
        values |= {"body_source": row.body_source, "source_url": row.source_url}
        existing[_natural_key(row.thread_id, values)] = row.id
        existing.update({("origin", row.origin): row.id, ("dedupe", row.dedupe_key): row.id})
    ids: dict[int, int] = {}
    new = []
    for record in records:
        keys = [("origin", record["origin"]), ("dedupe", record["dedupe_key"])]
        keys = [k for k in keys if k[1] is not None] + [_natural_key(threads[record["thread"]].id, record)]
        match = next((existing[k] for k in keys if k in existing), None)
        if match is None:
            new.append(record)
        else:
            ids[record["id"]] = match
            summary.skip("comments already there", f"#{record['id']}")
            progress(1)
    wanted = [r["id"] for r in new]
    keep_ids = not taken_comment_ids(session, wanted)
    rows = []
    for index, record in enumerate(new):
        values = _columns(record, ("id", "thread", "parent", "kind", "state"))
        row = Comment(
            id=record["id"] if keep_ids else None,
            thread_id=threads[record["thread"]].id,
            kind=Kind(record["kind"]),
            state=State(record["state"]),
            body_html=render_body(record["body_source"], record["body_format"]),
            **values,
        )
        session.add(row)
        _flush(session, f"comment #{record['id']} (the {index + 1}. new one)")
        ids[record["id"]] = row.id
        rows.append((row, record))
        summary.add(f"{record['kind']}s ({record['state']})")
        progress(1)
    for row, record in rows:
        row.parent_id = ids[record["parent"]] if record["parent"] is not None else None
    _flush(session, "linking replies to their parents")
    if not keep_ids:
        summary.note("comment ids were already taken in this store, so imported comments got new ids (and permalinks)")
    elif rows:
        advance_comment_ids(session)
    return ids


def _flush(session: Session, where: str) -> None:
    try:
        session.flush()
    except SQLAlchemyError as error:
        raise PortingError(f"the store refused {where}: {getattr(error, 'orig', error)}") from error


def _audit(
    session: Session, records: list[dict[str, Any]], users: dict[str, User], ids: dict[int, int], summary: Summary
) -> None:
    def key(values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[k] for k in ("at", "username", "action", "comment_id", "thread_slug", "detail"))

    columns = ("at", "username", "action", "comment_id", "thread_slug", "detail")
    existing = audit_values(session, columns)
    for record in records:
        values = _columns(record)
        if values["comment_id"] is not None:
            values["comment_id"] = ids.get(values["comment_id"], values["comment_id"])
        if key(values) in existing:
            summary.skip("audit entries already there", f"{record['action']} at {record['at']:%Y-%m-%d %H:%M}")
            continue
        user = users.get(record["username"])
        session.add(AuditEntry(**values, user_id=user.id if user else None))
        existing.add(key(values))
        summary.add("audit entries")


def _sent_linkbacks(session: Session, records: list[dict[str, Any]], summary: Summary) -> None:
    existing = sent_linkback_keys(session)
    for record in records:
        if (record["thread"], record["target_url"]) in existing:
            summary.skip("sent linkbacks already there", record["target_url"])
            continue
        session.add(SentLinkback(**_columns(record)))
        existing.add((record["thread"], record["target_url"]))
        summary.add("sent linkbacks")


def _spam_filter(session: Session, data: dict[str, Any], summary: Summary) -> None:
    if not (data["spam_docs"] or data["ham_docs"] or data["tokens"]):
        return
    if spam_filter_trained(session):
        summary.skip("spam filter data (this store's filter is trained already)", f"{len(data['tokens'])} tokens")
        return
    corpus_changed(session)
    session.add(SpamCorpus(spam_docs=data["spam_docs"], ham_docs=data["ham_docs"]))
    session.add_all(SpamToken(token=t, spam=s, ham=h) for t, s, h in data["tokens"])
    summary.add("spam filter tokens", len(data["tokens"]))
