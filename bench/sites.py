"""Scratch Kiln sites and stores for benchmarks: synthetic posts, a migrated database, one full build."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from comments_service.baking.pelican_site import full_build, load_site
from comments_service.store.database import database
from comments_service.store.migrate import upgrade
from comments_service.store.models import Comment

from .servers import REPO


def make_site(root: Path, posts: int, words: int = 120) -> Path:
    """Copy the theme, plugin and settings into root and write posts synthetic Markdown posts."""
    site = root / "site"
    (site / "content").mkdir(parents=True)
    shutil.copy(REPO / "pelicanconf.py", site)
    for folder in ("theme", "plugins"):
        shutil.copytree(REPO / folder, site / folder, ignore=shutil.ignore_patterns("__pycache__"))
    paragraph = " ".join(f"woord{i % 97}" for i in range(words))
    for number in range(posts):
        day = 1 + number % 28
        (site / "content" / f"post-{number}.md").write_text(
            f"Title: Post {number}\nDate: 2020-01-{day:02d} 10:{number % 60:02d}\nAuthor: Bench\n"
            f"Category: Bench\nSlug: post-{number}\n\n{paragraph}\n",
            encoding="utf-8",
        )
    return site


def build(site: Path, database_url: str) -> None:
    """Run one full Pelican build of a scratch site against a store."""
    full_build(load_site(str(site / "pelicanconf.py"), database_url, str(site / "output")))


@contextmanager
def postgres_schema(server_url: str, prefix: str = "bench") -> Iterator[str]:
    """Yield the URL of a migrated throwaway schema in a PostgreSQL database, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{server_url}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        yield url
    finally:
        database(url).dispose()
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def scratch_store(kind: str, root: Path, postgres_url: str) -> Iterator[str]:
    """Yield the URL of a migrated, empty store: a SQLite file in root or a fresh PostgreSQL schema."""
    if kind == "sqlite":
        url = f"sqlite:///{root / 'kiln.sqlite3'}"
        upgrade(url)
        yield url
        database(url).dispose()
        return
    with postgres_schema(postgres_url) as url:
        yield url


def kiln_bodies(database_url: str) -> dict[int, str]:
    """Return every stored comment body by id."""
    with database(database_url).transaction() as session:
        return {row.id: row.body_source for row in session.execute(sa.select(Comment.id, Comment.body_source))}


def isso_bodies(database: Path) -> dict[int, str]:
    """Return every comment Isso stored, by id."""
    with sqlite3.connect(database) as connection:
        return {row[0]: row[1] for row in connection.execute("SELECT id, text FROM comments")}


def integrity_ok(database_url: str) -> bool:
    """Run the database's own integrity check (SQLite) or a consistency query (PostgreSQL)."""
    with database(database_url).transaction() as session:
        if database_url.startswith("sqlite"):
            return session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        orphans = session.execute(
            sa.text("SELECT count(*) FROM comments c LEFT JOIN threads t ON t.id = c.thread_id WHERE t.id IS NULL")
        ).scalar()
        return orphans == 0
