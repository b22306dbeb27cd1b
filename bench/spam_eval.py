"""Precision and recall of the whole spam pipeline on the hand-written corpus in tests/data/spam/.

The learning filter is trained on one half of the corpus, then the other half is posted through
the public endpoint (each comment from its own address) and the stored states are counted.
Run from the repository root:  .venv/bin/python -m bench.spam_eval
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from comments_service import create_app
from comments_service.store.database import database
from comments_service.store.migrate import upgrade
from comments_service.store.threads import PostInfo, sync_posts
from tests.spam_corpus import Scores, halves, submit_all, train_filter

REPO = Path(__file__).resolve().parent.parent


def evaluate(folder: Path, train_on_odd_lines: bool) -> tuple[Scores, float]:
    """Train on one half in a fresh SQLite store, post the other half, and return the scores and seconds taken."""
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    upgrade(url)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "SITE_DIR": str(REPO), "OUTPUT_PATH": str(folder / "out")}
    )
    with database(url).transaction() as session:
        sync_posts(session, [PostInfo("bench-post", "Bench post", "Kiln", "bench-post.html", None, False)])
    training, testing = halves(train_on_odd_lines)
    train_filter(app, training)
    started = time.perf_counter()
    scores = submit_all(app.test_client(), app, "bench-post", testing)
    elapsed = time.perf_counter() - started
    database(url).dispose()
    return scores, elapsed


def main() -> None:
    """Print the figures for both ways of splitting the corpus."""
    for train_on_odd_lines in (False, True):
        with tempfile.TemporaryDirectory() as folder:
            scores, elapsed = evaluate(Path(folder), train_on_odd_lines)
        split = "odd lines" if train_on_odd_lines else "even lines"
        print(
            f"trained on {split}: spam {scores.spam_total}, ham {scores.ham_total} | "
            f"precision {scores.precision:.3f} recall {scores.recall:.3f} | "
            f"ham marked spam {scores.ham_as_spam} ({scores.false_positive_rate:.1%}), spam held {scores.spam_held}, "
            f"spam missed {scores.spam_total - scores.spam_caught - scores.spam_held} | "
            f"{elapsed / (scores.spam_total + scores.ham_total) * 1000:.1f} ms per submission"
        )


if __name__ == "__main__":
    main()
