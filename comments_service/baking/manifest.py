"""Which output files show which post's comment data, as recorded by the last full build."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from .atomic import write_atomic

MANIFEST_NAME = ".kiln-manifest.json"
VERSION = 1


class Manifest:
    """A map from post slug to the output files (relative paths) that show its comment data."""

    def __init__(self, files: dict[str, list[str]] | None = None) -> None:
        self._files: dict[str, set[str]] = defaultdict(set)
        for slug, paths in (files or {}).items():
            self._files[slug].update(paths)

    def add(self, slug: str, relative_path: str) -> None:
        """Note that a file shows a post's comment data."""
        self._files[slug].add(relative_path)

    def files_for(self, slug: str) -> list[str]:
        """Return the files that show a post's comment data, in a stable order."""
        return sorted(self._files.get(slug, ()))

    def slugs(self) -> list[str]:
        """Return every post the manifest knows."""
        return sorted(self._files)

    def save(self, output: Path) -> None:
        """Write the manifest atomically into the output folder."""
        data = {"version": VERSION, "files": {s: sorted(p) for s, p in sorted(self._files.items())}}
        write_atomic(output / MANIFEST_NAME, json.dumps(data, indent=1).encode())

    @classmethod
    def load(cls, output: Path) -> Manifest:
        """Read the manifest of a built site; an unbuilt site has an empty one."""
        try:
            data = json.loads((output / MANIFEST_NAME).read_text())
        except FileNotFoundError:
            return cls()
        return cls(data.get("files", {}))
