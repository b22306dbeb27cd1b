"""The Pelican site the service bakes into: its settings, output folder and full builds."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pelican import Pelican
from pelican.settings import read_settings

from ..rendering.render import RenderOptions, options_from_pelican


@dataclass(frozen=True)
class Site:
    """A Pelican site as the service sees it."""

    settings: dict[str, Any]
    output: Path
    options: RenderOptions


@cache
def load_site(conf_path: str, database_url: str, output_path: str | None, auto_close_days: int = 0) -> Site:
    """Read the site's Pelican settings, with the service's database and closing rule for the plugin."""
    override: dict[str, Any] = {}
    if output_path:
        override["OUTPUT_PATH"] = output_path
    settings = read_settings(conf_path, override=override)
    settings["KILN"] = {**settings.get("KILN", {}), "DATABASE_URL": database_url, "AUTO_CLOSE_DAYS": auto_close_days}
    return Site(settings=settings, output=Path(settings["OUTPUT_PATH"]), options=options_from_pelican(settings))


def full_build(site: Site) -> None:
    """Run a complete Pelican build of the site."""
    Pelican(dict(site.settings)).run()
