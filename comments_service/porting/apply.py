"""Carry out an import plan in the store: threads, then comments parents first, nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..baking.unit_of_work import UnitOfWork
from ..store.import_queries import imported_origins, threads_with_slugs
from ..store.models import Comment, Thread
from ..submission.validation import website_problem
from ..text.sanitize import render_body
from ..text.text_policy import clean, field_problems
from .plan import CommentPlan, ImportPlan, PortingError
from .summary import Summary

# Column limits; longer text is cut, a longer address or URL is dropped (a cut one would be wrong).
CUT = {"author": 245, "title": 500, "blog_name": 245, "user_agent": 500}
DROP = {"email": 100, "website": 200, "ip": 45, "source_url": 2000}
LINKS = ("website", "source_url")
# The text policy's fields (text_policy): one-line ones first, then those that may span lines.
ONE_LINE = ("author", "email", "website", "source_url", "blog_name")
POLICED = (*ONE_LINE, "title", "body_source")


def ensure_threads(session: Session, plan: ImportPlan, summary: Summary) -> dict[str, Thread]:
    """Return the plan's threads by slug, creating the ones the store does not have."""
    slugs = sorted(plan.threads)
    found = {t.slug: t for t in threads_with_slugs(session, slugs)}
    for slug in slugs:
        wanted = plan.threads[slug]
        thread = found.get(slug)
        if thread is None:
            values = {f.name: getattr(wanted, f.name) for f in fields(wanted)}
            values["title"], values["author"] = _cut(wanted.title, 500), _cut(wanted.author, 200)
            thread = found[slug] = Thread(**values)
            session.add(thread)
            summary.add("threads created")
        elif wanted.closed and not thread.closed:
            thread.closed = True
            summary.note(f"{slug}: closed for new comments, as it was on the old site.")
    session.flush()
    return found


def parents_first(comments: list[CommentPlan]) -> list[CommentPlan]:
    """Order comments so each comes after its parent (files may list replies first)."""
    by_origin = {c.origin: c for c in comments}
    depth: dict[str, int] = {}

    def depth_of(comment: CommentPlan) -> int:
        seen = []
        current: CommentPlan | None = comment
        while current is not None and current.origin not in depth and current.origin not in seen:
            seen.append(current.origin)
            current = by_origin.get(current.parent_origin or "")
        base = depth.get(current.origin, 0) if current is not None else 0
        for offset, origin in enumerate(reversed(seen), start=1):
            depth[origin] = base + offset
        return depth[comment.origin]

    return sorted(comments, key=depth_of)


def add_comments(
    work: UnitOfWork, plan: ImportPlan, summary: Summary, threads: dict[str, Thread], progress: Callable[[int], None]
) -> None:
    """Insert the plan's comments that are not in the store yet, linking replies to parents, and bake their posts."""
    session = work.session
    known = imported_origins(session, [c.origin for c in plan.comments])
    ids = {origin: row_id for origin, (row_id, _) in known.items()}
    for planned in parents_first(plan.comments):
        progress(1)
        thread = threads[planned.slug]
        if planned.origin in known:
            elsewhere = known[planned.origin][1] != thread.id
            reason = "entries whose origin is already used on another post" if elsewhere else "already imported"
            summary.skip(reason, planned.origin)
            continue
        parent_id = ids.get(planned.parent_origin) if planned.parent_origin else None
        if planned.parent_origin and parent_id is None:
            summary.note(f"{planned.origin}: its parent is not in the file, so it is shown at the top level.")
        ids[planned.origin] = _insert(session, planned, thread, parent_id, summary)
        work.bake(planned.slug)
        summary.add(f"{planned.kind.value}s ({planned.state.value})")


def _insert(session: Session, planned: CommentPlan, thread: Thread, parent_id: int | None, summary: Summary) -> int:
    values = _fit(planned, summary)
    row = Comment(
        thread_id=thread.id,
        parent_id=parent_id,
        body_html=render_body(values["body_source"], planned.body_format),
        **values,
    )
    session.add(row)
    try:
        # One flush per row, so a failure names the entry it failed on.
        session.flush()
    except SQLAlchemyError as error:
        raise PortingError(f"the store refused {planned.origin}: {getattr(error, 'orig', error)}") from error
    return row.id


def _fit(planned: CommentPlan, summary: Summary) -> dict[str, Any]:
    values: dict[str, Any] = {
        f.name: getattr(planned, f.name) for f in fields(planned) if f.name not in ("slug", "parent_origin")
    }
    # Old sites' data often holds stray controls (C1 ones from text decoded as Latin-1 that was
    # Windows-1252): they are dropped with a note, as too-long text is cut, rather than failing the import.
    for name, problem in field_problems({name: values[name] for name in POLICED}, ONE_LINE).items():
        values[name] = clean(values[name], one_line=name in ONE_LINE)
        summary.note(f"{planned.origin}: {name} {problem}; such characters were left out.")
    for name, limit in CUT.items():
        if len(values[name]) > limit:
            values[name] = _cut(values[name], limit)
            summary.note(f"{planned.origin}: {name} shortened to {limit} characters.")
    for name, limit in DROP.items():
        if len(values[name]) > limit:
            values[name] = ""
            summary.note(f"{planned.origin}: {name} longer than {limit} characters, left out.")
    for name in LINKS:
        # Pages link to these; only plain web addresses may become links.
        if values[name] and website_problem(values[name]):
            summary.note(f"{planned.origin}: {name} {values[name]!r} is not an http(s) URL, left out.")
            values[name] = ""
    return values


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
