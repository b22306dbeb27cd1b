"""Durable, atomic file replacement: readers see the old file or the new one, never a mix."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DRAFT_SUFFIX = ".tmp"
# Device, inode, modification time and size: a replaced or rewritten file gets a new one.
FileIdentity = tuple[int, int, int, int]
_pools: dict[int, ThreadPoolExecutor] = {}


def write_atomic(path: Path, data: bytes) -> None:
    """Replace path with data: temp file in the same folder, fsync, rename, fsync the folder."""
    write_all_atomic([(path, data)])


def write_all_atomic(files: Iterable[tuple[Path, bytes]]) -> None:
    """Replace several files, each atomically and durably, flushing them to disk side by side.

    Each file is written to a temporary file in its folder and fsynced, then renamed over
    its target; then each folder is fsynced once. The fsyncs run in parallel, because the
    file system commits concurrent ones together: eight pages cost little more than one.
    """
    drafts: list[tuple[Path, str]] = []
    try:
        for path, data in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=DRAFT_SUFFIX)
            drafts.append((path, draft))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        _fsync_all([draft for _path, draft in drafts])
        for path, draft in drafts:
            os.chmod(draft, 0o644)
            os.replace(draft, path)
    except BaseException:
        for _path, draft in drafts:
            Path(draft).unlink(missing_ok=True)
        raise
    _fsync_all(sorted({str(path.parent) for path, _draft in drafts}))


def fsync_path(path: str | Path) -> None:
    """Flush a file's or a folder's contents (for a folder: its renames) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_all(paths: list[str]) -> None:
    if len(paths) <= 1:
        for path in paths:
            fsync_path(path)
        return
    pool = _pools.get(os.getpid())
    if pool is None:
        # One pool per process: a forked server process cannot use its parent's threads.
        pool = _pools[os.getpid()] = ThreadPoolExecutor(max_workers=8, thread_name_prefix="kiln-fsync")
    list(pool.map(fsync_path, paths))


def file_identity(path: Path) -> FileIdentity | None:
    """Return what tells one version of a file from the next, or None if it is missing."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)


def sweep_drafts(output: Path) -> int:
    """Remove the temporary files of writers killed mid-write; return how many there were."""
    removed = 0
    for folder, _dirs, names in os.walk(output):
        for name in names:
            if name.startswith(".") and name.endswith(DRAFT_SUFFIX):
                Path(folder, name).unlink(missing_ok=True)
                removed += 1
    return removed
