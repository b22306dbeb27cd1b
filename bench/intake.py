"""Intake benchmark: post comments concurrently to Kiln (and Isso 0.14), then audit what was stored.

python -m bench.intake --comments 2000 --clients 32 --workers 4 --db sqlite postgresql
python -m bench.intake --compare-isso --comments 2000 --clients 32   # + one process each, moderation off, 3 pairs
python -m bench.intake --compare-isso --bake-worker              # + Kiln with `flask bake-worker` beside it
python -m bench.intake --comments 10000 --workers 4 --db sqlite      # the memory target, per worker
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from collections.abc import Sized
from contextlib import nullcontext
from pathlib import Path

from .load import IssoTarget, KilnTarget, audit, run_load, summary_row
from .servers import Server, bake_worker_beside, isso_server, isso_venv, kiln_server
from .sites import build, isso_bodies, kiln_bodies, make_site, scratch_store

POSTGRES_URL = os.environ.get("KILN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CACHE = Path(os.environ.get("KILN_BENCH_CACHE", Path.home() / ".cache" / "kiln-bench"))

# The load comes from one address, so per-address limits would measure the limiter, not intake.
LOAD_SETTINGS = {
    "SUBMIT_RATE_LIMIT": "1000000 per minute",
    "FLOOD_SECONDS": "0",
    "BAKE_IN_PROCESS": "true",
}
UNMODERATED = {"HOLD_FOR_MODERATION": "false"}
# The comparison runs Isso with its rate-limit guard off; Kiln's limiter is turned off to match.
UNGUARDED = {**UNMODERATED, "RATELIMIT_ENABLED": "false"}
# Each gunicorn worker's peak resident memory (VmHWM) must stay below this; stated for 10,000 comments.
RSS_TARGET_MIB = 100.0


def peak_rss_mib(server: Server) -> list[float]:
    """Return each worker's peak resident memory (VmHWM) in MiB."""
    peaks = []
    for pid in server.worker_pids():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(round(int(line.split()[1]) / 1024, 1))
    return peaks


def memory_verdict(row: dict[str, object], comments: int) -> str:
    """Say a Kiln run's highest worker peak against the memory target."""
    peaks = row["peak RSS MiB per worker"]
    assert isinstance(peaks, list)
    if not peaks:
        return f"{row['service']}: no worker's memory was measured"
    worst = max(peaks)
    verdict = "met" if worst < RSS_TARGET_MIB else "MISSED"
    return (
        f"{row['service']}: peak RSS per worker after {comments:,} comments: max {worst:.1f} MiB, "
        f"all {peaks} (target < {RSS_TARGET_MIB:g} MiB): {verdict}"
    )


def run_kiln(
    db: str, args: argparse.Namespace, workers: int, settings: dict[str, str], bake_worker: bool = False
) -> dict[str, object]:
    """Serve Kiln under gunicorn (baking in its own process when bake_worker is set), load it, audit the store."""
    with tempfile.TemporaryDirectory(prefix="kiln-intake-") as scratch:
        root = Path(scratch)
        slugs = [f"post-{i}" for i in range(args.threads)]
        with scratch_store(db, root, POSTGRES_URL) as url:
            build(make_site(root, args.threads), url)
            baking = {"BAKE_IN_PROCESS": "false"} if bake_worker else {}
            server = kiln_server(root, url, workers, {**LOAD_SETTINGS, **settings, **baking})
            server.start()
            server.wait_ready("/moderate/login")
            try:
                with bake_worker_beside(server) if bake_worker else nullcontext():
                    cpu_before = server.workers_cpu_seconds()
                    outcome = run_load(
                        KilnTarget(server.port, lambda: kiln_bodies(url)), args.comments, args.clients, slugs
                    )
                    cpu = server.workers_cpu_seconds() - cpu_before
                memory = peak_rss_mib(server)
            finally:
                server.stop()
            name = f"kiln/{db}/{workers}w" + ("+bake-worker" if bake_worker else "")
            row = summary_row(name, outcome, audit(outcome.acks, kiln_bodies(url)))
            row["worker CPU ms per comment"] = _per_comment(cpu, outcome.acks)
            row["peak RSS MiB per worker"] = memory
            if outcome.errors:
                # What the service said about the failures, before its scratch folder goes.
                row["server log"] = server.log.read_text(errors="replace")[-4000:]
            return row


def run_isso(args: argparse.Namespace, workers: int) -> dict[str, object]:
    """Serve Isso 0.14 under gunicorn, load it, audit its store."""
    python = isso_venv(CACHE)
    with tempfile.TemporaryDirectory(prefix="isso-intake-") as scratch:
        root = Path(scratch)
        server = isso_server(root, python, workers)
        server.start()
        server.wait_ready("/info")
        slugs = [f"post-{i}" for i in range(args.threads)]
        try:
            cpu_before = server.workers_cpu_seconds()
            outcome = run_load(
                IssoTarget(server.port, lambda: isso_bodies(root / "isso.db")), args.comments, args.clients, slugs
            )
            cpu = server.workers_cpu_seconds() - cpu_before
            memory = peak_rss_mib(server)
        finally:
            server.stop()
        row = summary_row(f"isso/sqlite/{workers}w", outcome, audit(outcome.acks, isso_bodies(root / "isso.db")))
        row["worker CPU ms per comment"] = _per_comment(cpu, outcome.acks)
        row["peak RSS MiB per worker"] = memory
        return row


def _per_comment(cpu_seconds: float, acks: Sized) -> float | None:
    # Processor time swings less than throughput with what else the machine runs.
    return round(1000 * cpu_seconds / len(acks), 3) if acks else None


def _ratio(kiln: dict[str, object], isso: dict[str, object], column: str) -> float:
    return float(kiln[column]) / float(isso[column])  # type: ignore[arg-type]


def main() -> None:
    """Run the requested loads and print one table row per run, plus the Kiln/Isso ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=2000, help="comments to post per run")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=20, help="posts the comments spread over")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers for the correctness runs")
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--compare-isso", action="store_true", help="also run Kiln and Isso with one process each")
    parser.add_argument("--isso-workers", type=int, default=4, help="gunicorn workers for the Isso correctness run")
    parser.add_argument("--rounds", type=int, default=3, help="one-process Kiln/Isso pairs, run alternately")
    parser.add_argument(
        "--bake-worker",
        action="store_true",
        help="in each round, also run Kiln's one process with baking in `flask bake-worker` beside it",
    )
    args = parser.parse_args()

    # Moderation off, as for Isso: replies need published parents, and every comment is baked.
    rows = [run_kiln(db, args, args.workers, UNMODERATED) for db in args.db]
    if args.compare_isso:
        rows.append(run_isso(args, args.isso_workers))
        # Alternating pairs, and the median of their ratios: one pair alone swings with
        # whatever else the machine's disk and CPU were doing at that moment.
        ratios, p99s, cpus, apart = [], [], [], []
        for _ in range(args.rounds):
            kiln_one, isso_one = run_kiln("sqlite", args, 1, UNGUARDED), run_isso(args, 1)
            rows += [kiln_one, isso_one]
            ratios.append(_ratio(kiln_one, isso_one, "per s"))
            p99s.append(_ratio(kiln_one, isso_one, "p99 ms"))
            cpus.append(_ratio(isso_one, kiln_one, "worker CPU ms per comment"))
            if args.bake_worker:
                kiln_apart = run_kiln("sqlite", args, 1, UNGUARDED, bake_worker=True)
                rows.append(kiln_apart)
                apart.append(_ratio(kiln_apart, isso_one, "per s"))
        pairs = ", ".join(f"{r:.2f}x/{p:.2f}" for r, p in zip(ratios, p99s, strict=True))
        print(
            f"throughput Kiln/Isso (1 process each, moderation off), median of {args.rounds}: "
            f"{statistics.median(ratios):.2f}x (target >= 1.5x); p99 Kiln/Isso: {statistics.median(p99s):.2f} "
            f"(target <= 1); each pair: {pairs}"
        )
        print(
            f"worker processor time per comment, Isso/Kiln, median of {args.rounds}: {statistics.median(cpus):.2f}x; "
            "each: " + ", ".join(f"{r:.2f}x" for r in cpus)
        )
        if apart:
            print(
                f"throughput Kiln/Isso with Kiln's baking in a bake-worker process beside its one service "
                f"process, median of {args.rounds}: {statistics.median(apart):.2f}x; each: "
                + ", ".join(f"{r:.2f}x" for r in apart)
            )
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    for row in rows:
        if str(row["service"]).startswith("kiln/"):
            print(memory_verdict(row, args.comments))


if __name__ == "__main__":
    main()
