"""What the baking tests share: fresh full builds to compare with, and tree comparisons."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from comments_service import create_app
from comments_service.baking.site import full_build, load_site
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
    site = load_site(str(conf), app.config["DATABASE_URL"], str(folder / "output"))
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
