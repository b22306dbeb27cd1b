"""Crash test: SIGKILL Kiln at random moments under load, restart it, and audit every acknowledged comment.

python -m bench.crash --kills 20 --db sqlite postgresql
"""

from __future__ import annotations

import argparse
import http.client
import random
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .intake import LOAD_SETTINGS, POSTGRES_URL
from .load import FILLER, Ack, KilnTarget, audit
from .servers import kiln_server
from .sites import build, integrity_ok, kiln_bodies, make_site, scratch_store


@dataclass
class CrashReport:
    """What a crash run found."""

    kills: int
    acked: int
    lost: int
    wrong_id: int
    duplicated: int
    integrity: bool
    failed_requests: int = 0

    @property
    def passed(self) -> bool:
        """Tell whether every acknowledged comment survived exactly once in a sound database."""
        return self.lost == 0 and self.wrong_id == 0 and self.duplicated == 0 and self.integrity


def _hammer(
    target: KilnTarget, slugs: list[str], stop: threading.Event, acks: list[Ack], failures: list[int], index: int
) -> None:
    """Post comments until stopped, recording what the service acknowledged."""
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=10)
    sequence = 0
    while not stop.is_set():
        marker = f"[c-{index}-{sequence}-{time.monotonic_ns()}]"
        sequence += 1
        try:
            _, comment_id = target.post(conn, slugs[sequence % len(slugs)], f"{marker} {FILLER}", None)
        except (OSError, http.client.HTTPException):
            failures.append(1)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=10)
            time.sleep(0.02)
            continue
        if comment_id is None:
            failures.append(1)
        else:
            acks.append(Ack(comment_id, marker, ""))
    conn.close()


def run_crash_test(db: str, kills: int = 20, clients: int = 8, workers: int = 2, seed: int = 11) -> CrashReport:
    """Kill and restart the service kills times under load; audit the store at the end."""
    rng = random.Random(seed)
    acks: list[Ack] = []
    failures: list[int] = []
    with tempfile.TemporaryDirectory(prefix="kiln-crash-") as scratch:
        root = Path(scratch)
        slugs = [f"post-{i}" for i in range(5)]
        with scratch_store(db, root, POSTGRES_URL) as url:
            build(make_site(root, len(slugs)), url)
            server = kiln_server(root, url, workers, LOAD_SETTINGS)
            for _ in range(kills):
                server.start()
                server.wait_ready("/moderate/login")
                stop = threading.Event()
                target = KilnTarget(server.port, lambda: {})
                hammers = [
                    threading.Thread(target=_hammer, args=(target, slugs, stop, acks, failures, i))
                    for i in range(clients)
                ]
                for hammer in hammers:
                    hammer.start()
                time.sleep(rng.uniform(0.2, 1.2))
                server.kill()
                stop.set()
                for hammer in hammers:
                    hammer.join()
            result = audit(acks, kiln_bodies(url))
            return CrashReport(
                kills, len(acks), result.lost, result.wrong_id, result.duplicated, integrity_ok(url), len(failures)
            )


def main() -> None:
    """Run the crash test on the chosen databases and print the reports."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    for db in args.db:
        report = run_crash_test(db, args.kills)
        print(f"{db}: {'PASS' if report.passed else 'FAIL'} {report}")


if __name__ == "__main__":
    main()
