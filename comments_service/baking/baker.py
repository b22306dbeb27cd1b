"""Incremental bakes: refresh one post's comment regions in every file that shows them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from ..rendering.render import REGION_TEMPLATES, render_region
from ..store import thread_view
from .atomic import write_atomic
from .manifest import Manifest
from .site import Site
from .splice import splice_regions


def bake_thread(session: Session, site: Site, slug: str) -> list[Path]:
    """Re-render a post's comment regions from the store and write the files that changed."""
    view = thread_view(session, slug)
    regions = {name: render_region(name, view, site.options) for name in REGION_TEMPLATES}
    changed: list[Path] = []
    for relative in Manifest.load(site.output).files_for(slug):
        path = site.output / relative
        try:
            old = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        new = splice_regions(old, slug, regions)
        if new != old:
            write_atomic(path, new.encode("utf-8"))
            changed.append(path)
    return changed
