"""Run an import as one transaction: the store and the content folder change together or not at all."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from ..baking.atomic import write_atomic
from ..baking.unit_of_work import Committed, UnitOfWork
from ..store.database import database
from ..store.models import AuditEntry
from .apply import add_comments, ensure_threads
from .plan import FilePlan, ImportPlan, PortingError
from .summary import Summary


def in_one_transaction(database_url: str, source: str, work: Callable[[UnitOfWork, list[Path]], None]) -> Committed:
    """Run work in a unit of work and commit; on failure roll back, delete the files work created, raise PortingError.

    Returns what the commit leaves to do (publish bakes the posts it touched), so the summary can come first.
    """
    session = database(database_url).session()
    created: list[Path] = []
    try:
        unit = UnitOfWork(session)
        work(unit, created)
        return unit.save()
    except (SQLAlchemyError, OSError, PortingError) as error:
        session.rollback()
        for path in created:
            path.unlink(missing_ok=True)
        if isinstance(error, PortingError):
            raise
        raise PortingError(f"{source}: {error}") from error
    finally:
        session.close()


def run_plan(database_url: str, plan: ImportPlan, summary: Summary, progress: Callable[[int], None]) -> Committed:
    """Apply an import plan to the store and the content folder in one transaction."""

    def work(unit: UnitOfWork, created: list[Path]) -> None:
        threads = ensure_threads(unit.session, plan, summary)
        add_comments(unit, plan, summary, threads, progress)
        write_files(plan.files, summary, created)
        if summary.added:
            detail = json.dumps({"source": plan.source, **summary.added}, sort_keys=True)
            unit.session.add(AuditEntry(action="import", detail=detail))

    return in_one_transaction(database_url, plan.source, work)


def write_files(files: list[FilePlan], summary: Summary, created: list[Path]) -> None:
    """Write new content files; leave identical ones be and never overwrite different ones."""
    for planned in files:
        data = planned.text.encode("utf-8")
        try:
            if planned.path.exists():
                same = planned.path.read_bytes() == data
                reason = (
                    "content files already there" if same else "content files that exist with other text (left alone)"
                )
                summary.skip(reason, planned.path.name)
                continue
            write_atomic(planned.path, data)
        except OSError as error:
            raise PortingError(f"cannot write {planned.path}: {error}.") from error
        created.append(planned.path)
        summary.add(f"{planned.what}s written")
