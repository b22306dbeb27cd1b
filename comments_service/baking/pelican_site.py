"""The Pelican site the service bakes into: its output folder, render options and full builds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from ..blog.identity import SiteIdentity, for_service_build, pelican_identity
from ..blog.pelican_settings import read_render_settings
from ..rendering.render import RenderOptions, options_from_pelican
from .lock import site_lock
from .staging import discard, new_build_folder, publish


@dataclass(frozen=True)
class Site:
    """A Pelican site as the service sees it."""

    conf_path: str
    # What its pages show: Pelican's addresses and name, with the service's comment store and closing rule.
    identity: SiteIdentity
    output: Path
    options: RenderOptions

    @property
    def database_url(self) -> str:
        """Return the comment store the site's pages are baked from."""
        return self.identity.database_url


@cache
def load_site(
    conf_path: str, database_url: str, output_path: str | None, auto_close_days: int = 0, avatar_key: str = ""
) -> Site:
    """Read what bakes need from the site's Pelican settings, with the service's store, closing rule and avatar key."""
    settings = read_render_settings(conf_path, output_path)
    pelican = pelican_identity(conf_path)
    identity = replace(
        pelican,
        database_url=database_url,
        auto_close_days=auto_close_days,
        avatar_key=avatar_key or pelican.avatar_key,
    )
    return Site(conf_path, identity, Path(settings["OUTPUT_PATH"]), options_from_pelican(settings, identity))


@cache
def pelican_settings(site: Site) -> dict[str, Any]:
    """Read all of the site's Pelican settings, with the service's output folder, database and closing rule."""
    # Imported here, not at the top: only full builds and the import commands need Pelican,
    # and a web worker that imported it would carry its megabytes for nothing.
    from pelican.settings import read_settings

    return for_service_build({**read_settings(site.conf_path), "OUTPUT_PATH": str(site.output)}, site.identity)


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
