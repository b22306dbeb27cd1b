"""Durable, atomic file replacement: readers see the old file or the new one, never a mix."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

DRAFT_SUFFIX = ".tmp"
# Device, inode, modification time and size: a replaced or rewritten file gets a new one.
FileIdentity = tuple[int, int, int, int]
_pools: dict[int, ThreadPoolExecutor] = {}
T = TypeVar("T")


def write_atomic(path: Path, data: bytes) -> None:
    """Replace path with data: temp file in the same folder, fsync, rename, fsync the folder."""
    write_all_atomic([(path, data)])


def write_all_atomic(files: Iterable[tuple[Path, bytes]]) -> None:
    """Replace several files, each atomically and durably, side by side.

    Each file goes to a temporary file in its folder, is fsynced and renamed over its
    target; then each folder is fsynced once. The files are handled in parallel threads:
    the fsyncs, started together, wait for the same file system journal commit instead of
    one commit after another (measured: faster than writing while rendering the next file).
    """
    files = list(files)
    for folder in {path.parent for path, _data in files}:
        folder.mkdir(parents=True, exist_ok=True)
    _each(_replace, files)
    _each(fsync_path, sorted({path.parent for path, _data in files}))


def _replace(file: tuple[Path, bytes]) -> None:
    path, data = file
    # Unique per process and thread; the site lock keeps other writers of this page away,
    # and a draft left by a killed writer is swept when the next worker starts.
    draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}{DRAFT_SUFFIX}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    try:
        try:
            os.fchmod(fd, 0o644)  # whatever the umask: the web server must read it
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(draft, path)
    except BaseException:
        draft.unlink(missing_ok=True)
        raise


def _each(action: Callable[[T], object], items: list[T]) -> None:
    if len(items) <= 1:
        for item in items:
            action(item)
        return
    pool = _pools.get(os.getpid())
    if pool is None:
        # One pool per process: a forked server process cannot use its parent's threads.
        pool = _pools[os.getpid()] = ThreadPoolExecutor(max_workers=16, thread_name_prefix="kiln-write")
    list(pool.map(action, items))


def fsync_path(path: str | Path) -> None:
    """Flush a file's or a folder's contents (for a folder: its renames) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
