"""The Pelican site the service bakes into: its settings, output folder and full builds."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pelican import Pelican
from pelican.settings import read_settings

from ..rendering.render import RenderOptions, options_from_pelican
from .lock import site_lock
from .staging import discard, new_build_folder, publish


@dataclass(frozen=True)
class Site:
    """A Pelican site as the service sees it."""

    settings: dict[str, Any]
    output: Path
    options: RenderOptions

    @property
    def database_url(self) -> str:
        """Return the comment store the site's pages are baked from."""
        return str(self.settings["KILN"]["DATABASE_URL"])


@cache
def load_site(conf_path: str, database_url: str, output_path: str | None, auto_close_days: int = 0) -> Site:
    """Read the site's Pelican settings, with the service's database and closing rule for the plugin."""
    override: dict[str, Any] = {}
    if output_path:
        override["OUTPUT_PATH"] = output_path
    settings = read_settings(conf_path, override=override)
    settings["KILN"] = {**settings.get("KILN", {}), "DATABASE_URL": database_url, "AUTO_CLOSE_DAYS": auto_close_days}
    return Site(settings=settings, output=Path(settings["OUTPUT_PATH"]), options=options_from_pelican(settings))


def full_build(site: Site) -> Path:
    """Build the whole site into a fresh folder and swap it in as the output; return that folder.

    The site lock is held throughout, so bakes wait and then apply on top of the new build
    whatever changed after Pelican read the store (their jobs stay queued until then).
    """
    with site_lock(site.output):
        build = new_build_folder(site.output)
        try:
            Pelican({**site.settings, "OUTPUT_PATH": str(build)}).run()
        except BaseException:
            discard(build)
            raise
        publish(site.output, build)
    return build
