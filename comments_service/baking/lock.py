"""One lock per site, so full builds and bakes in any process or thread never interleave."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_path(output: Path) -> Path:
    """Return the lock file of a site's output, beside it (output itself is swapped by builds)."""
    return output.parent / f".{output.name}.lock"


@contextmanager
def site_lock(output: Path) -> Iterator[None]:
    """Hold the site's lock: exclusive across processes (flock) and across threads (one open file each)."""
    path = lock_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        # Closing the descriptor releases the lock, also when the process dies.
        os.close(fd)
