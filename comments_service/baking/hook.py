"""The optional post-bake command, run after each batch with the files it changed (e.g. to rsync them)."""

from __future__ import annotations

import logging
import shlex
import subprocess
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)


def hook_arguments(command: str, output: Path, changed: Iterable[Path]) -> list[str]:
    """Return the hook's argv: the configured command, then each changed file as ./path under output."""
    # Each path is one argument (no shell ever parses it) and starts with ./ so a
    # file name cannot pass for an option.
    files = sorted({f"./{path.relative_to(output)}" for path in changed})
    return [*shlex.split(command), *files]


def run_hook(command: str, output: Path, changed: Iterable[Path], timeout: float) -> bool:
    """Run the post-bake command in the output folder if any file changed; tell whether it succeeded."""
    changed = list(changed)
    if not command or not changed:
        return True
    argv = hook_arguments(command, output, changed)
    try:
        result = subprocess.run(argv, cwd=output, timeout=timeout, check=False, capture_output=True, text=True)
    except (OSError, subprocess.TimeoutExpired) as error:
        log.error("kiln: the post-bake hook %s failed: %s", argv[0], error)
        return False
    if result.returncode != 0:
        log.error("kiln: the post-bake hook %s exited with %d: %s", argv[0], result.returncode, result.stderr.strip())
        return False
    return True
