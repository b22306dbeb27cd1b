"""The durable bake queue: one BakeJob row per post, bumped by each request, removed once baked."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, event, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .database import database
from .driver_sql import DriverStatement
from .models import BakeJob, utcnow


@dataclass(frozen=True)
class Job:
    """A post to bake, the request version the bake answers, and how often its bake failed so far."""

    slug: str
    version: int
    attempts: int = 0


def _upsert(insert: Callable[[type[BakeJob]], Any]) -> DriverStatement:
    # One statement that either inserts or bumps: two transactions requesting the same
    # post at once both succeed, and the row ends with a version newer than either saw.
    # Inline: no id is asked back (PostgreSQL would otherwise get RETURNING bake_jobs.id).
    statement = insert(BakeJob).inline().values(slug=bindparam("slug"), version=1)
    return DriverStatement(
        # A new request is due at once, even if the last bake failed: the change may be what fixes it.
        statement.on_conflict_do_update(
            index_elements=["slug"], set_={"version": BakeJob.version + 1, "next_attempt": null()}
        )
    )


# Built once per dialect and run as driver SQL: every published comment queues a bake.
_UPSERTS = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}


def enqueue(connection: Connection, slug: str) -> None:
    """Add a job for slug, or bump its version if one is waiting; part of the connection's transaction."""
    _UPSERTS[connection.dialect.name].rows(connection, {"slug": slug})


# Built once: the worker asks before every pass, and building the statement costs more than running it.
_PENDING = (
    select(BakeJob.slug, BakeJob.version, BakeJob.attempts)
    .where(or_(BakeJob.next_attempt.is_(None), BakeJob.next_attempt <= bindparam("now")))
    .order_by(BakeJob.requested, BakeJob.id)
)


def pending(session: Session, now: datetime | None = None) -> list[Job]:
    """Return every job due now (a failed one only once its retry time has come), oldest request first."""
    return [Job(*row) for row in session.execute(_PENDING, {"now": now or utcnow()})]


def finish_all(url: str, jobs: Iterable[Job]) -> int:
    """Remove baked jobs, except those a newer request bumped meanwhile; return how many went.

    The removal skips the flush to disk (SQLite synchronous=NORMAL, PostgreSQL
    synchronous_commit=off): if a crash undoes it, the job is baked again, to the same
    bytes, and the approval that comes next does not wait for this commit.
    """
    removed = 0
    with database(url).engine.connect() as connection:
        sqlite_level = None
        if connection.dialect.name == "sqlite":
            sqlite_level = connection.exec_driver_sql("PRAGMA synchronous").scalar()
            connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
            connection.commit()
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
                for job in jobs:
                    query = delete(BakeJob).where(BakeJob.slug == job.slug, BakeJob.version == job.version)
                    removed += connection.execute(query).rowcount
        finally:
            if sqlite_level is not None:
                # The connection goes back to the pool: later commits must be durable again.
                connection.exec_driver_sql(f"PRAGMA synchronous={int(sqlite_level)}")
                connection.commit()
    return removed


def record_failure(session: Session, job: Job, error: str, retry_at: datetime) -> None:
    """Keep a job whose bake failed, noting why, for a pass at retry_at or after to try again."""
    failed = {"attempts": BakeJob.attempts + 1, "last_error": error[:2000], "next_attempt": retry_at}
    # Only the version that failed: a request that bumped it meanwhile stays due at once.
    query = update(BakeJob).where(BakeJob.slug == job.slug, BakeJob.version == job.version).values(failed)
    session.execute(query, execution_options={"synchronize_session": False})


# The slugs a session's open transaction asked to bake, for the unit of work to wake the worker after the commit.
_REQUESTED = "kiln_bake_slugs"


def request_bake(session: Session, slug: str) -> None:
    """Queue slug's bake in the session's transaction, so the request commits, or rolls back, with the change."""
    enqueue(session.connection(), slug)
    session.info.setdefault(_REQUESTED, set()).add(slug)


def requested_bakes(session: Session) -> set[str]:
    """Return, and forget, the slugs requested in the session's transaction that just committed."""
    slugs: set[str] = session.info.pop(_REQUESTED, set())
    return slugs


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: object) -> None:
    session.info.pop(_REQUESTED, None)
