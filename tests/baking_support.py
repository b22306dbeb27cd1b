"""What the baking tests share: fresh full builds to compare with, and tree comparisons."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from comments_service import create_app
from comments_service.baking.pelican_site import full_build, load_site
from comments_service.baking.trigger import site_of


def built_app(database_url: str, site_dir: Path, **config: Any) -> Flask:
    """Create the service over a site, with extra settings, and build the site once."""
    settings = {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url}
    app = create_app({**settings, "SITE_DIR": str(site_dir), "OUTPUT_PATH": str(site_dir / "output"), **config})
    full_build(site_of(app))
    return app


def fresh_build(app: Flask, folder: Path) -> Path:
    """Run a full Pelican build of the app's site and store into a folder of its own; return its output."""
    conf = Path(app.config["SITE_DIR"]) / app.config["PELICAN_CONF"]
    # The service draws identicons with a key from its secret, and passes it to its builds.
    key = site_of(app).identity.avatar_key
    site = load_site(str(conf), app.config["DATABASE_URL"], str(folder / "output"), avatar_key=key)
    full_build(site)
    return site.output


def files_of(root: Path) -> dict[str, bytes]:
    """Return every file under root (following root itself if it is a link) by relative path."""
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            found[str(path.relative_to(root))] = path.read_bytes()
    return found


def differences(baked: Path, built: Path) -> list[str]:
    """Name every file that is missing, extra or different between two output trees."""
    ours, theirs = files_of(baked), files_of(built)
    return sorted(name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name))


class FakeBaker:
    """A stand-in for BakeWorker under a BakeThread: notes its passes and rests, and another process's pass."""

    def __init__(self, posts: int = 1, rest_seconds: float = 0.0) -> None:
        self.posts, self.rest_seconds = posts, rest_seconds
        self.passes: list[float] = []
        # How long each rest between two posts lasted.
        self.rests: list[float] = []
        # When (time.monotonic) another process last finished a pass, if ever.
        self.elsewhere: float | None = None
        # How often the worker looked at that: once each time it woke to decide whether a pass is due.
        self.looked = 0

    def start(self) -> None:
        """Nothing was left half-written."""

    def run_pass(
        self, on_durable: Callable[[], object] | None = None, rest: Callable[[float], object] | None = None
    ) -> list[Path]:
        """Note the pass; between its posts, rest rest_seconds as the real worker rests the time a bake took."""
        self.passes.append(time.monotonic())
        for _post in range(self.posts - 1):
            began = time.monotonic()
            if rest is not None:
                rest(self.rest_seconds)
            self.rests.append(time.monotonic() - began)
        if on_durable is not None:
            on_durable()
        return []

    def last_pass(self) -> float | None:
        """Return when another process last baked the site."""
        self.looked += 1
        return self.elsewhere
