"""The blog's own page around the service's pages for a reader: a post's baked page with its comments replaced."""

from __future__ import annotations

from pathlib import Path

from markupsafe import escape

from ..baking.manifest import Manifest
from ..baking.pelican_site import Site
from ..baking.splice import splice_regions
from ..store.threads import ThreadRow


def _own_page(site: Site, thread: ThreadRow) -> Path | None:
    """Return the baked file of the post's own page: the one its URL names, else the one only it shows in."""
    manifest = Manifest.load(site.output)
    files = manifest.files_for(thread.slug)
    shared = manifest.shared_files()
    url = thread.url.lstrip("/")
    wanted = url + "index.html" if url.endswith("/") or not url else url
    own = [name for name in files if name not in shared]
    for name in ([wanted] if wanted in own else []) + own:
        path = site.output / name
        if path.is_file():
            return path
    return None


def post_page(site: Site, thread: ThreadRow) -> str | None:
    """Return the text of the post's baked page, or None when the site has not been built with it."""
    path = _own_page(site, thread)
    try:
        return path.read_text(encoding="utf-8") if path else None
    except OSError:
        return None


def framed(page: str, slug: str, comments_html: str, title_prefix: str = "") -> str:
    """Return page with its comments region replaced, and its title prefixed (\"Preview: …\")."""
    page = splice_regions(page, slug, {"comments": comments_html})
    if title_prefix:
        start = page.find("<title>")
        if start >= 0:
            at = start + len("<title>")
            page = page[:at] + str(escape(title_prefix)) + page[at:]
    return page
