"""Full builds go to a fresh folder that replaces the published one in a single rename.

The published `output` path is a symbolic link to the current build folder, kept in
`output.builds/`. Pelican truncates and rewrites files in place, so building into the
served folder would let readers see half-written pages; instead a build writes a new
folder, every file of it is flushed to disk, and a new link is renamed over `output`.
rename(2) replaces the link atomically, so a reader resolves either the old build or the
new one. The previous build is kept until the next swap, so a reader that resolved the old
link just before a swap can still open its files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from .atomic import fsync_path


def builds_folder(output: Path) -> Path:
    """Return the folder that holds the site's build folders."""
    return output.with_name(f"{output.name}.builds")


def new_build_folder(output: Path) -> Path:
    """Create an empty, world-readable folder for a new build."""
    builds = builds_folder(output)
    builds.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=builds, prefix=time.strftime("%Y%m%dT%H%M%S-")))
    folder.chmod(0o755)
    return folder


def publish(output: Path, build: Path) -> None:
    """Make build the published output in one atomic rename, then drop builds older than the last."""
    # Every file of the new build reaches the disk before readers are pointed at it.
    os.sync()
    previous = output.resolve() if output.is_symlink() else None
    link = output.with_name(f".{output.name}.{build.name}.link")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(build, output.parent), link)
    if output.is_dir() and not output.is_symlink():
        # Once, on the first build after an output folder was made some other way: a
        # folder cannot be renamed over, so it moves aside (a moment without output/).
        previous = builds_folder(output) / f"{build.name}-replaced"
        os.rename(output, previous)
    os.replace(link, output)
    fsync_path(output.parent)
    _prune(builds_folder(output), keep={build.resolve(), previous})


def _prune(builds: Path, keep: set[Path | None]) -> None:
    for folder in builds.iterdir():
        if folder.resolve() not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def discard(build: Path) -> None:
    """Remove a build that failed before it was published."""
    shutil.rmtree(build, ignore_errors=True)
