"""Benchmark: approve-to-durable latency of incremental bakes against a full Pelican rebuild.

For each size it writes a synthetic site (about 600 words a post, 1-50 approved comments
each) into a temporary folder, times a full build, then approves comments one at a time
through `moderate()` (commit, queue, in-process worker, atomic fsynced writes) and times
each approval until every affected file is durable (the moment the worker reports the
pass that baked it on disk; the moderator's call returns after that and after the
receivers that learn from the verdict and queue mail, also shown). Run from the repository root:

    .venv/bin/python bench/bake.py                 # 100, 1,000 and 5,000 posts
    .venv/bin/python bench/bake.py --sizes 100,1000 --approvals 100
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from comments_service import create_app  # noqa: E402
from comments_service.baking.pelican_site import full_build  # noqa: E402
from comments_service.baking.trigger import site_of, start_worker, stop_worker  # noqa: E402
from comments_service.moderation.actions import moderate  # noqa: E402
from comments_service.store.database import database  # noqa: E402
from comments_service.store.migrate import upgrade  # noqa: E402
from comments_service.store.models import Comment, State, Thread  # noqa: E402
from comments_service.store.threads import PostInfo, sync_posts  # noqa: E402

WORDS = [
    "verkoop",
    "klant",
    "gesprek",
    "vraag",
    "antwoord",
    "waarde",
    "prijs",
    "offerte",
    "afspraak",
    "telefoon",
    "luisteren",
    "kwalificeren",
    "budget",
    "beslisser",
    "probleem",
    "oplossing",
    "voorstel",
    "bezwaar",
    "vertrouwen",
    "relatie",
    "markt",
    "product",
    "dienst",
    "team",
    "doel",
    "plan",
    "week",
    "maand",
    "resultaat",
    "kans",
    "risico",
    "keuze",
    "nee",
    "ja",
    "zeker",
]
CATEGORIES = ["Sales", "Marketing", "Strategie", "Prospectie", "Onderhandelen", "Service", "Team", "Cases"]
WARM_UP = 3


@dataclass
class Result:
    """What one site size measured."""

    posts: int
    comments: int
    build_seconds: float
    latencies_ms: list[float]
    call_ms: list[float]

    def percentile(self, p: int, of: list[float] | None = None) -> float:
        """Return the p-th percentile approve-to-durable latency (or of another series) in milliseconds."""
        return statistics.quantiles(self.latencies_ms if of is None else of, n=100, method="inclusive")[p - 1]


def _text(rng: random.Random, words: int) -> str:
    sentences = []
    while words > 0:
        n = min(words, rng.randint(8, 18))
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".")
        words -= n
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs)


def write_site(folder: Path, posts: int, rng: random.Random) -> list[PostInfo]:
    """Copy the settings, theme and plugin; write `posts` synthetic posts; return them."""
    shutil.copy(REPO / "pelicanconf.py", folder)
    for part in ("theme", "plugins"):
        shutil.copytree(REPO / part, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
    content = folder / "content"
    content.mkdir()
    start = datetime(2005, 1, 1, 9, 0, tzinfo=UTC)
    infos = []
    for i in range(posts):
        slug = f"post-{i:05d}"
        published = start + timedelta(hours=7 * i)
        tags = ", ".join(sorted({rng.choice(WORDS) for _ in range(3)}))
        (content / f"{slug}.md").write_text(
            f"Title: Post {i}: {rng.choice(WORDS)} en {rng.choice(WORDS)}\n"
            f"Date: {published:%Y-%m-%d %H:%M}\nAuthor: Rikkert Walbeek\nCategory: {rng.choice(CATEGORIES)}\n"
            f"Tags: {tags}\nSlug: {slug}\n\n{_text(rng, 600)}\n",
            encoding="utf-8",
        )
        infos.append(PostInfo(slug, f"Post {i}", "Rikkert Walbeek", f"{slug}.html", published, False))
    return infos


def fill_store(url: str, infos: list[PostInfo], approvals: int, rng: random.Random) -> tuple[int, list[int]]:
    """Give every post 1-50 approved comments and some posts one pending; return (count, pending ids)."""
    with database(url).transaction() as session:
        sync_posts(session, infos)
    with database(url).transaction() as session:
        threads = {slug: id_ for slug, id_ in session.execute(select(Thread.slug, Thread.id))}
        rows = []
        for info in infos:
            born = info.published or datetime.now(UTC)
            for n in range(rng.randint(1, 50)):
                body = _text(rng, rng.randint(15, 80))
                rows.append(
                    {
                        "thread_id": threads[info.slug],
                        "author": f"Lezer {rng.randint(1, 500)}",
                        "body_source": body,
                        "body_html": "".join(f"<p>{p}</p>\n" for p in body.split("\n\n")),
                        "state": State.APPROVED,
                        "created": born + timedelta(minutes=37 * (n + 1)),
                    }
                )
        session.execute(insert(Comment), rows)
        pending = []
        for info in rng.sample(infos, min(approvals + WARM_UP, len(infos))):
            comment = Comment(
                thread_id=threads[info.slug],
                author="Nieuwe lezer",
                body_source="Net goedgekeurd.",
                body_html="<p>Net goedgekeurd.</p>\n",
                # Created now, like a real submission: the newest comment, so every
                # approval also changes the site-wide comment feed.
                state=State.PENDING,
            )
            session.add(comment)
            session.flush()
            pending.append(comment.id)
    return len(rows), pending


def measure(posts: int, approvals: int, seed: int, keep: bool) -> Result:
    """Build a site of `posts` posts, time a full build, then time approvals one by one."""
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix=f"kiln-bench-{posts}-"))
    url = f"sqlite:///{folder / 'kiln.sqlite3'}"
    try:
        upgrade(url)
        infos = write_site(folder, posts, rng)
        comments, pending = fill_store(url, infos, approvals, rng)
        app = create_app(
            {"SECRET_KEY": "bench", "DATABASE_URL": url, "SITE_DIR": str(folder), "OUTPUT_PATH": str(folder / "out")}
        )
        site = site_of(app)
        started = time.perf_counter()
        full_build(site)
        build_seconds = time.perf_counter() - started
        # Let the build's hundreds of megabytes reach the disk first: their writeback would
        # otherwise share the disk with the approvals' fsyncs and time the build, not the bake.
        os.sync()
        latencies, calls = [], []
        with app.app_context():
            worker = start_worker(app)
            assert worker is not None
            for comment_id in pending:
                with database(url).transaction() as session:
                    comment = session.get(Comment, comment_id)
                    assert comment is not None
                    slug = comment.thread.slug
                    began = time.perf_counter()
                    moderate(session, comment, "approve", None)
                    calls.append((time.perf_counter() - began) * 1000)
                    latencies.append((worker.durable_at - began) * 1000)
                page = (site.output / f"{slug}.html").read_text(encoding="utf-8")
                assert f'id="comment-{comment_id}"' in page, f"comment {comment_id} is not on {slug}.html"
            stop_worker(app)
        return Result(posts, comments, build_seconds, latencies[WARM_UP:], calls[WARM_UP:])
    finally:
        database(url).dispose()
        if keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def report(results: list[Result]) -> None:
    """Print the table and the ratios the targets are stated in."""
    print("approve-to-durable p50/p99; 'call p50' is the whole moderate() call, receivers included")
    heads = ("posts", 6), ("comments", 9), ("full build s", 13), ("p50 ms", 8), ("p99 ms", 8), ("call p50", 9)
    print(" ".join(f"{head:>{width}}" for head, width in heads), f"{'build / p50':>12}")
    for r in results:
        p50, p99, call = r.percentile(50), r.percentile(99), r.percentile(50, r.call_ms)
        ratio = r.build_seconds * 1000 / p50
        figures = f"{r.build_seconds:>13.2f} {p50:>8.2f} {p99:>8.2f} {call:>9.2f}"
        print(f"{r.posts:>6} {r.comments:>9} {figures} {ratio:>11,.0f}x")
    smallest, largest = results[0], results[-1]
    p50, p99 = largest.percentile(50), largest.percentile(99)
    n, m = largest.posts, smallest.posts
    print()
    _verdict(f"{n}-post p50 {p50:.2f} ms (target < 10 ms)", p50 < 10)
    _verdict(f"{n}-post p99 {p99:.2f} ms (target < 50 ms)", p99 < 50)
    growth = p50 / smallest.percentile(50)
    _verdict(f"p50 at {n} posts / p50 at {m} posts = {growth:.2f}x (target <= 1.5x)", growth <= 1.5)
    speedup = largest.build_seconds * 1000 / p50
    _verdict(f"full build / p50 at {n} posts = {speedup:,.0f}x (target >= 1,000x)", speedup >= 1000)


def _verdict(line: str, ok: bool) -> None:
    print(f"{line}: {'met' if ok else 'MISSED'}")


def main() -> None:
    """Run the benchmark for each requested size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="Comma-separated post counts.")
    parser.add_argument("--approvals", type=int, default=200, help="Approvals timed per size.")
    parser.add_argument("--seed", type=int, default=2009, help="Seed for the synthetic content.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary sites for inspection.")
    args = parser.parse_args()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"measuring {size} posts …", file=sys.stderr, flush=True)
        results.append(measure(size, args.approvals, args.seed, args.keep))
    report(results)


if __name__ == "__main__":
    main()
