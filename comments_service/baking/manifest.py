"""Which output files show which post's comment data, as recorded by the last full build."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from threading import Lock

from .atomic import FileIdentity, file_identity, write_atomic

MANIFEST_NAME = ".kiln-manifest.json"
VERSION = 2


class Manifest:
    """A map from post slug to the output files (relative paths) that show its comment data."""

    def __init__(
        self, files: dict[str, list[str]] | None = None, feeds: dict[str, str] | None = None, site_feed: str = ""
    ) -> None:
        self._files: dict[str, set[str]] = defaultdict(set)
        for slug, paths in (files or {}).items():
            self._files[slug].update(paths)
        self._feeds: dict[str, str] = dict(feeds or {})
        self.site_feed = site_feed
        self._shared: frozenset[str] | None = None

    def add(self, slug: str, relative_path: str) -> None:
        """Note that a file shows a post's comment data."""
        self._files[slug].add(relative_path)
        self._shared = None

    def add_feed(self, slug: str, relative_path: str) -> None:
        """Note where a post's comment feed is."""
        self._feeds[slug] = relative_path

    def files_for(self, slug: str) -> list[str]:
        """Return the files that show a post's comment data, in a stable order."""
        return sorted(self._files.get(slug, ()))

    def shared_files(self) -> frozenset[str]:
        """Return the files that show more than one post's comment data (index, category and author pages)."""
        if self._shared is None:
            seen: set[str] = set()
            shared: set[str] = set()
            for paths in self._files.values():
                shared |= seen & paths
                seen |= paths
            self._shared = frozenset(shared)
        return self._shared

    def feed_for(self, slug: str) -> str | None:
        """Return where a post's comment feed is, if the build wrote one."""
        return self._feeds.get(slug)

    def slugs(self) -> list[str]:
        """Return every post the manifest knows."""
        return sorted(set(self._files) | set(self._feeds))

    def save(self, output: Path) -> None:
        """Write the manifest atomically into the output folder."""
        data = {
            "version": VERSION,
            "files": {s: sorted(p) for s, p in sorted(self._files.items())},
            "feeds": dict(sorted(self._feeds.items())),
            "site_feed": self.site_feed,
        }
        write_atomic(output / MANIFEST_NAME, json.dumps(data, indent=1).encode())

    @classmethod
    def load(cls, output: Path) -> Manifest:
        """Read the manifest of a built site (cached until the file changes); an unbuilt site has an empty one."""
        path = output / MANIFEST_NAME
        # A 5,000-post manifest takes longer to parse than a whole bake; a new build
        # writes a new file (new inode), so its identity tells when to read it again.
        key = file_identity(path)
        if key is None:
            return cls()
        cached = _cache.get(str(path))
        if cached is not None and cached[0] == key:
            return cached[1]
        data = json.loads(path.read_bytes())
        manifest = cls(data.get("files", {}), data.get("feeds", {}), data.get("site_feed", ""))
        with _cache_lock:
            _cache[str(path)] = (key, manifest)
        return manifest


_cache: dict[str, tuple[FileIdentity, Manifest]] = {}
_cache_lock = Lock()
