"""Processor time per comment, in one process: intake through the WSGI app, and baking under a stream of comments.

Throughput on a shared machine swings with whatever else runs; processor time per comment
swings much less, so compare two checkouts by running this alternately in each:

    .venv/bin/python -m bench.cpu_per_comment              # 3 rounds of each measure, medians
    .venv/bin/python -m bench.cpu_per_comment --rounds 5

intake: 1,000 reader comments posted through the app (Flask's test client, one thread,
SQLite, moderation off, baking off), as in the load benchmark; the test client's own cost
is included. bake: 240 comments over 20 posts, then one pass of the bake worker, eight
times (the posts end near 100 comments each, as after bench.intake's 2,000 comments).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from flask.testing import FlaskClient

from .intake import LOAD_SETTINGS, POSTGRES_URL, UNGUARDED
from .load import FILLER
from .sites import build, make_site, scratch_store

POSTS = 20
INTAKE_COMMENTS = 1000
BATCH = 240
PASSES = 8
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def _poster(client: FlaskClient, seed: int) -> Callable[[int], None]:
    """Return a function that posts comment number n to a random post, 10% of them replies."""
    rng = random.Random(seed)
    published: dict[str, list[int]] = {}

    def post(number: int) -> None:
        slug = f"post-{rng.randrange(POSTS)}"
        fields = {"author": "Lezer", "email": "lezer@example.org", "body": f"[m-{number}] {FILLER}"}
        if published.get(slug) and rng.random() < 0.1:
            fields["parent"] = str(rng.choice(published[slug]))
        response = client.post(f"/comments/{slug}/", data=urlencode(fields), headers=FORM)
        if response.status_code != 201:
            raise RuntimeError(f"comment {number}: HTTP {response.status_code} {response.get_data(as_text=True)}")
        published.setdefault(slug, []).append(int(response.get_json()["id"]))

    return post


def measure_once() -> tuple[float, float]:
    """Return (intake, bake) milliseconds of processor time per comment, from one fresh site."""
    # The service reads its settings from the environment, as under gunicorn.
    from comments_service import create_app
    from comments_service.baking.trigger import bake_worker

    with tempfile.TemporaryDirectory(prefix="kiln-cpu-") as scratch:
        root = Path(scratch)
        with scratch_store("sqlite", root, POSTGRES_URL) as url:
            build(make_site(root, POSTS), url)
            settings = {**LOAD_SETTINGS, **UNGUARDED, "BAKE_IN_PROCESS": "false"}
            os.environ.update({f"KILN_{k}": v for k, v in {**settings, "DATABASE_URL": url}.items()})
            os.environ["KILN_SITE_DIR"] = str(root / "site")
            app = create_app()
            post = _poster(app.test_client(), seed=7)
            for number in range(50):  # warm: templates, statements, per-thread tools
                post(number)
            began = time.process_time()
            for number in range(50, 50 + INTAKE_COMMENTS):
                post(number)
            intake = (time.process_time() - began) / INTAKE_COMMENTS

        (root / "bake").mkdir()
        with scratch_store("sqlite", root / "bake", POSTGRES_URL) as url:
            build(make_site(root / "bake", POSTS), url)
            os.environ["KILN_DATABASE_URL"], os.environ["KILN_SITE_DIR"] = url, str(root / "bake" / "site")
            app = create_app()
            post = _poster(app.test_client(), seed=8)
            with app.app_context():
                worker = bake_worker(app)
                worker.start()
                baking = 0.0
                for round_ in range(PASSES):
                    for number in range(BATCH):
                        post(round_ * BATCH + number)
                    began = time.process_time()
                    worker.run_pass()
                    baking += time.process_time() - began
            bake = baking / (PASSES * BATCH)
    return 1000 * intake, 1000 * bake


def main() -> None:
    """Measure both, several times, and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = [measure_once() for _ in range(args.rounds)]
    intake = statistics.median(r[0] for r in results)
    bake = statistics.median(r[1] for r in results)
    each = ", ".join(f"{i:.3f}/{b:.3f}" for i, b in results)
    print(f"intake {intake:.3f} ms, bake {bake:.3f} ms of processor time per comment (median of {args.rounds}: {each})")


if __name__ == "__main__":
    main()
