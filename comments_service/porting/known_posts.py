"""The posts an import can attach comments to: threads in the store and files in the content folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify
from sqlalchemy.orm import Session

from ..store.import_queries import thread_slugs_and_urls

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd")


@dataclass
class KnownPosts:
    """Slugs of known posts, and the site-relative URL of each built one."""

    slugs: set[str] = field(default_factory=set)
    by_url: dict[str, str] = field(default_factory=dict)

    def match(self, identifier: str, link: str) -> str | None:
        """Return the slug of the post an old thread belongs to, by its identifier, URL or URL's last part."""
        candidates = [identifier.strip(), *_from_url(identifier), *_from_url(link)]
        path = urlsplit(link).path.lstrip("/")
        if path in self.by_url:
            return self.by_url[path]
        return next((c for c in candidates if c in self.slugs), None)


def _from_url(value: str) -> list[str]:
    """Guess a slug from a URL: its last path part without an extension (the folder's for index pages)."""
    parts = [p for p in PurePosixPath(urlsplit(value.strip()).path).parts if p != "/"]
    while parts and PurePosixPath(parts[-1]).stem in ("index", ""):
        parts.pop()
    return [PurePosixPath(parts[-1]).stem] if parts else []


def known_posts(session: Session, content_dir: Path) -> KnownPosts:
    """Collect the posts the store has threads for and the posts written in the content folder."""
    known = KnownPosts()
    for slug, url in thread_slugs_and_urls(session):
        known.slugs.add(slug)
        if url:
            known.by_url[url.lstrip("/")] = slug
    for path in sorted(content_dir.rglob("*")):
        if path.suffix in MARKDOWN_SUFFIXES and path.is_file():
            slug = file_slug(path.read_text(encoding="utf-8", errors="replace"))
            if slug:
                known.slugs.add(slug)
    return known


def file_slug(text: str) -> str:
    """Return a Markdown post's slug as Pelican derives it: its Slug metadata, else its slugified title."""
    metadata = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, colon, value = line.partition(":")
        if colon:
            metadata[key.strip().lower()] = value.strip()
    if metadata.get("slug"):
        return metadata["slug"]
    return slugify(metadata.get("title", ""), regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
