"""Benchmark: the moderation queue page with 100,000 comments in the store.

Fills a fresh store (SQLite in a temporary folder, or a throwaway schema of a PostgreSQL
database with --postgres), logs a moderator in through Flask's test client and times the
queue page: first and deep pages, each state, and the post, text and author filters.
Prints the median and 95th percentile per page; the target is under 200 ms.

    .venv/bin/python -m bench.queue_page [--comments 100000] [--runs 30] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import insert, select

from comments_service import create_app
from comments_service.moderation.accounts import create_user
from comments_service.store.database import database
from comments_service.store.migrate import upgrade
from comments_service.store.models import Comment, Role, State, Thread

from .sites import postgres_schema

TARGET_MS = 200
THREADS = 300
STATES = [State.APPROVED] * 70 + [State.PENDING] * 15 + [State.SPAM] * 10 + [State.DELETED] * 5
WORDS = [
    "verkopen",
    "klant",
    "afspraak",
    "bellen",
    "luisteren",
    "vraag",
    "antwoord",
    "prijs",
    "offerte",
    "korting",
    "directeur",
    "secretaresse",
]
PASSWORD = "benchmark password"


@contextmanager
def sqlite_store() -> Iterator[str]:
    """A migrated SQLite store in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        yield url
        database(url).dispose()


def fill(url: str, count: int, rng: random.Random) -> None:
    """Store THREADS posts and `count` comments with realistic variety, in batches."""
    start = datetime(2015, 1, 1, tzinfo=UTC)
    with database(url).transaction() as session:
        session.execute(
            insert(Thread),
            [
                {
                    "slug": f"post-{n}",
                    "title": f"Post {n}",
                    "author": f"Author {n % 7}",
                    "url": f"post-{n}.html",
                    "published": start + timedelta(days=n),
                    "closed": False,
                    "closed_by_metadata": False,
                    "created": start,
                }
                for n in range(THREADS)
            ],
        )
        thread_ids = list(session.scalars(select(Thread.id)))
    people = [(f"Lezer {n}", f"lezer{n}@example.org" if n % 3 else "") for n in range(5000)]
    batch = 5000
    for offset in range(0, count, batch):
        rows = []
        for n in range(offset, min(offset + batch, count)):
            author, email = rng.choice(people)
            body = " ".join(rng.choices(WORDS, k=rng.randint(8, 60)))
            rows.append(
                {
                    "thread_id": rng.choice(thread_ids),
                    "state": rng.choice(STATES),
                    "author": author,
                    "email": email,
                    "website": "https://example.org/" if n % 5 == 0 else "",
                    "body_source": body,
                    "body_format": "markdown",
                    "body_html": f"<p>{body}</p>",
                    "ip": f"198.51.100.{n % 250}",
                    "created": start + timedelta(minutes=n),
                }
            )
        with database(url).transaction() as session:
            session.execute(insert(Comment), rows)
    with database(url).transaction() as session:
        # Every tenth comment replies to an earlier one, so rows carry a parent excerpt.
        ids = list(session.scalars(select(Comment.id).order_by(Comment.id)))
        session.execute(
            sa.update(Comment),
            [{"id": ids[i], "parent_id": ids[rng.randrange(i)]} for i in range(10, len(ids), 10)],
        )
    # Gather planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would
    # on a store that grew over years rather than in seconds.
    with database(url).engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE comments" if url.startswith("postgresql") else "ANALYZE"))


def _ids(url: str, state: State) -> list[int]:
    with database(url).transaction() as session:
        return list(session.scalars(select(Comment.id).where(Comment.state == state).order_by(Comment.id)))


def pages(url: str) -> dict[str, str]:
    """The queue pages to time, named."""
    pending, approved = _ids(url, State.PENDING), _ids(url, State.APPROVED)
    return {
        "pending, first page": "/moderate/",
        "pending, deep page": f"/moderate/?after={pending[len(pending) * 9 // 10]}",
        "approved, first page": "/moderate/?state=approved",
        "approved, deep page": f"/moderate/?state=approved&after={approved[len(approved) // 10]}",
        "spam, first page": "/moderate/?state=spam",
        "one post, approved": "/moderate/?state=approved&post=post-42",
        "text, common word": "/moderate/?state=approved&q=offerte",
        "text, an email": "/moderate/?state=approved&q=lezer4242@",
        "text, no match at all": "/moderate/?state=approved&q=zzzz-none",
        "author account, pending": "author:/moderate/",
    }


def measure(url: str, runs: int) -> list[tuple[str, float, float]]:
    """Time every page through the test client: median and p95 in milliseconds."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "BAKE_ON_CHANGE": False})
    with database(url).transaction() as session:
        create_user(session, "mod", PASSWORD, Role.MODERATOR)
        create_user(session, "author", PASSWORD, Role.AUTHOR, display_name="Author 3")
    clients = {}
    for name in ("mod", "author"):
        client = app.test_client()
        page = client.get("/moderate/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post("/moderate/login", data={"username": name, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303, response.status_code
        clients[name] = client
    results = []
    for label, target in pages(url).items():
        who, path = target.split(":", 1) if target.startswith("author:") else ("mod", target)
        client = clients[who]
        timings = []
        for run in range(runs + 3):
            began = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if run >= 3:  # the first few warm caches and the connection pool
                timings.append(elapsed)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        results.append((label, statistics.median(timings), p95))
    return results


def main() -> None:
    """Fill a store, time the queue and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000, help="How many comments to store.")
    parser.add_argument("--runs", type=int, default=30, help="Timed requests per page.")
    parser.add_argument("--postgres", metavar="URL", help="Use a throwaway schema in this PostgreSQL database.")
    args = parser.parse_args()
    store = postgres_schema(args.postgres) if args.postgres else sqlite_store()
    with store as url:
        began = time.perf_counter()
        fill(url, args.comments, random.Random(20090522))
        backend = "PostgreSQL" if args.postgres else "SQLite"
        print(f"{backend}: stored {args.comments:,} comments in {time.perf_counter() - began:.1f} s")
        results = measure(url, args.runs)
    print(f"{'queue page':<30} {'median ms':>10} {'p95 ms':>8}")
    for label, median, p95 in results:
        print(f"{label:<30} {median:>10.1f} {p95:>8.1f}")
    worst = max(p95 for _, _, p95 in results)
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(f"worst p95 {worst:.1f} ms: {verdict} the {TARGET_MS} ms target")


if __name__ == "__main__":
    main()
