"""Durable, atomic file replacement: readers see the old file or the new one, never a mix."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

DRAFT_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes) -> None:
    """Replace path with data: temp file in the same folder, fsync, rename, fsync the folder."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=DRAFT_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(draft, 0o644)
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise
    fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """Make a rename inside folder durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sweep_drafts(output: Path) -> int:
    """Remove the temporary files of writers killed mid-write; return how many there were."""
    removed = 0
    for folder, _dirs, names in os.walk(output):
        for name in names:
            if name.startswith(".") and name.endswith(DRAFT_SUFFIX):
                Path(folder, name).unlink(missing_ok=True)
                removed += 1
    return removed
