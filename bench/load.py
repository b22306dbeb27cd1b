"""A bounded loopback load: N comments from C concurrent clients over T threads, then a read-back audit."""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

FILLER = (
    "Goed stuk, en herkenbaar: eerst kwalificeren, dan pas afspreken. Wie dat overslaat verspilt "
    "zijn eigen tijd en die van de klant. Dank voor het delen van dit voorbeeld uit de praktijk. "
)


@dataclass(frozen=True)
class Ack:
    """A comment the service acknowledged: the id it answered with and the marker we sent."""

    comment_id: int
    marker: str
    thread: str


@dataclass
class Outcome:
    """What one load run saw from the client side."""

    acks: list[Ack] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    def percentile(self, fraction: float) -> float:
        """Return a latency percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass(frozen=True)
class Audit:
    """What reading everything back found."""

    lost: int
    wrong_id: int
    duplicated: int


class Target:
    """How to post one comment to a service and read every stored comment back."""

    def __init__(self, port: int, read_back: Callable[[], dict[int, str]]) -> None:
        self.port = port
        self._read_back = read_back

    def post(
        self, conn: http.client.HTTPConnection, thread: str, body: str, parent: int | None
    ) -> tuple[int, int | None]:
        """Post a comment; return the HTTP status and the acknowledged id."""
        raise NotImplementedError

    def stored(self) -> dict[int, str]:
        """Return every stored comment's body by id, read straight from the service's store."""
        return self._read_back()


class KilnTarget(Target):
    """Kiln's public form endpoint, answering JSON."""

    def post(
        self, conn: http.client.HTTPConnection, thread: str, body: str, parent: int | None
    ) -> tuple[int, int | None]:
        """Post through the same endpoint the HTML form uses."""
        fields = {"author": "Lezer", "email": "lezer@example.org", "body": body}
        if parent is not None:
            fields["parent"] = str(parent)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        conn.request("POST", f"/comments/{thread}/", urlencode(fields), headers)
        return _json_id(conn.getresponse())


class IssoTarget(Target):
    """Isso's JSON API."""

    def post(
        self, conn: http.client.HTTPConnection, thread: str, body: str, parent: int | None
    ) -> tuple[int, int | None]:
        """Post as Isso's own client does."""
        data: dict[str, object] = {"text": body, "author": "Lezer", "email": "lezer@example.org", "title": thread}
        if parent is not None:
            data["parent"] = parent
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        conn.request("POST", f"/new?uri=%2F{thread}%2F", json.dumps(data), headers)
        return _json_id(conn.getresponse())


def _json_id(response: http.client.HTTPResponse) -> tuple[int, int | None]:
    raw = response.read()
    if response.status not in (201, 202):
        return response.status, None
    try:
        return response.status, int(json.loads(raw)["id"])
    except (ValueError, KeyError, TypeError):
        return response.status, None


def run_load(target: Target, total: int, clients: int, threads: list[str], seed: int = 7) -> Outcome:
    """Post total comments from clients concurrent connections, 10% of them replies."""
    outcome = Outcome()
    lock = threading.Lock()
    start_gate = threading.Barrier(clients)
    shares = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
        own: list[Ack] = []
        start_gate.wait()
        for sequence in range(shares[index]):
            thread = rng.choice(threads)
            candidates = [a for a in own if a.thread == thread]
            parent = rng.choice(candidates).comment_id if candidates and rng.random() < 0.1 else None
            marker = f"[m-{seed}-{index}-{sequence}]"
            began = time.perf_counter()
            try:
                status, comment_id = target.post(conn, thread, f"{marker} {FILLER}", parent)
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
                with lock:
                    outcome.errors[type(error).__name__] += 1
                continue
            took = time.perf_counter() - began
            with lock:
                outcome.latencies.append(took)
                if comment_id is None:
                    outcome.errors[f"HTTP {status}"] += 1
                else:
                    ack = Ack(comment_id, marker, thread)
                    outcome.acks.append(ack)
                    own.append(ack)
        conn.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    outcome.elapsed = time.perf_counter() - began
    return outcome


def audit(acks: list[Ack], stored: dict[int, str]) -> Audit:
    """Check every acknowledged comment: present, under the id it was acknowledged with, once."""
    markers = Counter(body.split(" ", 1)[0] for body in stored.values())
    lost = sum(1 for a in acks if markers[a.marker] == 0)
    wrong = sum(1 for a in acks if markers[a.marker] and not stored.get(a.comment_id, "").startswith(a.marker + " "))
    duplicated = sum(1 for a in acks if markers[a.marker] > 1)
    return Audit(lost=lost, wrong_id=wrong, duplicated=duplicated)


def summary_row(name: str, outcome: Outcome, result: Audit) -> dict[str, object]:
    """Return one table row of a run's figures."""
    throughput = len(outcome.acks) / outcome.elapsed if outcome.elapsed else 0.0
    return {
        "service": name,
        "acked": len(outcome.acks),
        "errors": sum(outcome.errors.values()),
        "error kinds": dict(outcome.errors),
        "per s": round(throughput, 1),
        "p50 ms": round(outcome.percentile(0.50), 1),
        "p95 ms": round(outcome.percentile(0.95), 1),
        "p99 ms": round(outcome.percentile(0.99), 1),
        "mean ms": round(1000 * statistics.fmean(outcome.latencies), 1) if outcome.latencies else None,
        "lost": result.lost,
        "wrong id": result.wrong_id,
        "duplicated": result.duplicated,
    }
