"""gunicorn settings for the comment service; every value can be overridden from the environment."""

import gc
import os
from typing import Any

bind = os.environ.get("KILN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("KILN_WORKERS", "2"))
threads = int(os.environ.get("KILN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
wsgi_app = "comments_service:create_app()"


def post_worker_init(worker: Any) -> None:
    """Start the worker's background workers (bakes, mail, webmentions) now, so each takes up what is stored at once."""
    from comments_service.background.start import start_workers

    start_workers(worker.wsgi)
    # What the worker loaded to start lives as long as it does. Left to the collector, each
    # full collection walks all of it again while holding every request thread (30-45 ms
    # pauses, measured under load); frozen, a full collection sees only what requests made.
    gc.collect()
    gc.freeze()
