"""When any process last finished a bake pass over a site, so that all its workers share one batch interval."""

from __future__ import annotations

import os
import time
from pathlib import Path

from .lock import lock_path


def stamp_pass(output: Path) -> None:
    """Note that a pass over the site at output has just finished."""
    path = lock_path(output)
    try:
        os.utime(path)
    except FileNotFoundError:
        path.touch()


def last_pass(output: Path) -> float | None:
    """Return when (time.monotonic) any process last finished a pass over the site, if one is known."""
    try:
        finished = lock_path(output).stat().st_mtime
    except FileNotFoundError:
        return None
    # The file's time is wall-clock; the worker's clock is monotonic.
    return time.monotonic() - max(0.0, time.time() - finished)
