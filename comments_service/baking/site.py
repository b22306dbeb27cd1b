"""The Pelican site the service bakes into: its output folder, render options and full builds."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..rendering.render import RenderOptions, options_from_pelican
from .lock import site_lock
from .pelican_conf import read_render_settings
from .staging import discard, new_build_folder, publish


@dataclass(frozen=True)
class Site:
    """A Pelican site as the service sees it."""

    conf_path: str
    # The comment store the site's pages are baked from.
    database_url: str
    output: Path
    options: RenderOptions


def _with_service(settings: dict[str, Any], database_url: str, auto_close_days: int) -> dict[str, Any]:
    """Give the plugin the service's database and closing rule."""
    kiln = {**settings.get("KILN", {}), "DATABASE_URL": database_url, "AUTO_CLOSE_DAYS": auto_close_days}
    return {**settings, "KILN": kiln}


@cache
def load_site(conf_path: str, database_url: str, output_path: str | None, auto_close_days: int = 0) -> Site:
    """Read what bakes need from the site's Pelican settings, with the service's database and closing rule."""
    settings = _with_service(read_render_settings(conf_path, output_path), database_url, auto_close_days)
    return Site(conf_path, database_url, Path(settings["OUTPUT_PATH"]), options_from_pelican(settings))


@cache
def pelican_settings(site: Site) -> dict[str, Any]:
    """Read all of the site's Pelican settings, with the service's output folder, database and closing rule."""
    # Imported here, not at the top: only full builds and the import commands need Pelican,
    # and a web worker that imported it would carry its megabytes for nothing.
    from pelican.settings import read_settings

    settings = {**read_settings(site.conf_path), "OUTPUT_PATH": str(site.output)}
    return _with_service(settings, site.database_url, site.options.auto_close_days)


def full_build(site: Site) -> Path:
    """Build the whole site into a fresh folder and swap it in as the output; return that folder.

    The site lock is held throughout, so bakes wait and then apply on top of the new build
    whatever changed after Pelican read the store (their jobs stay queued until then).
    """
    from pelican import Pelican  # see pelican_settings

    settings = pelican_settings(site)
    with site_lock(site.output):
        build = new_build_folder(site.output)
        try:
            Pelican({**settings, "OUTPUT_PATH": str(build)}).run()
        except BaseException:
            discard(build)
            raise
        publish(site.output, build)
    return build
