"""The durable bake queue: one BakeJob row per post, bumped by each request, removed once baked."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .database import database
from .driver_sql import DriverStatement
from .models import BakeJob


@dataclass(frozen=True)
class Job:
    """A post to bake, and the request version the bake answers."""

    slug: str
    version: int


def _upsert(insert: Callable[[type[BakeJob]], Any]) -> DriverStatement:
    # One statement that either inserts or bumps: two transactions requesting the same
    # post at once both succeed, and the row ends with a version newer than either saw.
    # Inline: no id is asked back (PostgreSQL would otherwise get RETURNING bake_jobs.id).
    statement = insert(BakeJob).inline().values(slug=bindparam("slug"), version=1)
    return DriverStatement(
        statement.on_conflict_do_update(index_elements=["slug"], set_={"version": BakeJob.version + 1})
    )


# Built once per dialect and run as driver SQL: every published comment queues a bake.
_UPSERTS = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}


def enqueue(connection: Connection, slug: str) -> None:
    """Add a job for slug, or bump its version if one is waiting; part of the connection's transaction."""
    _UPSERTS[connection.dialect.name].rows(connection, {"slug": slug})


# Built once: the worker asks before every pass, and building the statement costs more than running it.
_PENDING = select(BakeJob.slug, BakeJob.version).order_by(BakeJob.requested, BakeJob.id)


def pending(session: Session) -> list[Job]:
    """Return every waiting job, oldest request first."""
    return [Job(slug, version) for slug, version in session.execute(_PENDING)]


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


def record_failure(session: Session, job: Job, error: str) -> None:
    """Keep a job whose bake failed, noting why, for the next pass to retry."""
    session.execute(
        update(BakeJob).where(BakeJob.slug == job.slug).values(attempts=BakeJob.attempts + 1, last_error=error[:2000]),
        execution_options={"synchronize_session": False},
    )


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
