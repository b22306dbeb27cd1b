"""Signal receivers that load comment data at build time and record where it lands."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from pelican import signals
from sqlalchemy.exc import SQLAlchemyError

from comments_service.baking.manifest import Manifest
from comments_service.blog.identity import SiteIdentity, from_pelican
from comments_service.language.choice import PageLanguage, page_language
from comments_service.language.dates import number, post_date
from comments_service.language.jinja import install_gettext
from comments_service.linkbacks.advertise import endpoints_at
from comments_service.linkbacks.targets import is_absolute
from comments_service.rendering.feeds import (
    SITE_FEED_PATH,
    PostFeed,
    post_feed_path,
    render_post_feed,
    render_site_feed,
)
from comments_service.rendering.loading import views_and_feeds
from comments_service.rendering.render import (
    RenderOptions,
    fenced_region,
    options_from_pelican,
    render_theme_template,
)
from comments_service.rendering.thread_view import ThreadView, empty_view
from comments_service.store.database import database
from comments_service.store.threads import FeedEntry, PostInfo, latest_comments, sync_posts

log = logging.getLogger(__name__)
PREFIX = "kiln_comments:"


class _Build:
    """What one Pelican run has learned: settings, thread views, and where regions went."""

    def __init__(self, settings: dict[str, Any]) -> None:
        # Read once per run; unknown KILN keys are warned of here.
        self.options: RenderOptions = options_from_pelican(settings, from_pelican(settings))
        self.output = Path(settings["OUTPUT_PATH"])
        self.views: dict[str, ThreadView] = {}
        self.feeds: dict[str, PostFeed] = {}
        self.latest: list[FeedEntry] | None = None
        self.manifest = Manifest()
        self._unwritten: set[str] = set()
        self._head_warned = False

    @property
    def identity(self) -> SiteIdentity:
        """Return the site's identity, as the render options carry it."""
        return self.options.site

    def region(self, name: str, content: Any) -> Markup:
        """Render a fenced region for a post and note it for the next written file."""
        slug = content.slug
        view = self.views.get(slug) or empty_view(
            slug, _closed_by_metadata(content), _aware(getattr(content, "date", None)), _language(content)
        )
        self._unwritten.add(slug)
        return fenced_region(name, view, self.options)

    def head(self, content: Any) -> Markup:
        """Render the linkback discovery links and TrackBack RDF for a post's <head>."""
        site, service = self.identity.site_url, self.identity.service_url
        if not (is_absolute(site) and is_absolute(service)):
            if not self._head_warned:
                log.warning("%s SITEURL and KILN['SERVICE_URL'] must be absolute to advertise linkbacks", PREFIX)
                self._head_warned = True
            return Markup("")
        endpoints = endpoints_at(service)
        html = render_theme_template(
            "kiln/head.html",
            self.options,
            post_url=f"{site}/{content.url}",
            title=Markup(content.title).striptags(),
            pingback=endpoints.pingback,
            webmention=endpoints.webmention,
            trackback=endpoints.trackback(content.slug),
        )
        return Markup(html)

    def written(self, path: str) -> None:
        """Attribute the regions rendered since the last write to this file."""
        relative = str(Path(path).resolve().relative_to(self.output.resolve()))
        for slug in self._unwritten:
            self.manifest.add(slug, relative)
        self._unwritten.clear()

    def write_feeds(self) -> None:
        """Write each post's comment feed and the site's, as a bake would, and note them."""
        for slug, feed in self.feeds.items():
            relative = post_feed_path(slug)
            _write(self.output / relative, render_post_feed(feed, self.options))
            self.manifest.add_feed(slug, relative)
        if self.latest is not None:
            _write(self.output / SITE_FEED_PATH, render_site_feed(self.latest, self.options))
            self.manifest.site_feed = SITE_FEED_PATH


_build: _Build | None = None


def _write(path: Path, data: bytes) -> None:
    # Like Pelican's own writer: a plain write; `flask build` syncs the whole folder before swapping it in.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _closed_by_metadata(content: Any) -> bool:
    return str(getattr(content, "metadata", {}).get("comments", "")).strip().lower() == "closed"


def _language(content: Any) -> str:
    # Pelican gives every content a lang: its Lang metadata, else DEFAULT_LANG.
    return str(getattr(content, "lang", "") or "")


def _aware(moment: datetime | None) -> datetime | None:
    # Pelican dates are aware once TIMEZONE is set; a naive one is read as UTC.
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _post_info(content: Any) -> PostInfo:
    return PostInfo(
        slug=content.slug,
        title=content.title,
        author=str(getattr(content, "author", "") or ""),
        url=content.url,
        published=_aware(getattr(content, "date", None)),
        closed_by_metadata=_closed_by_metadata(content),
        language=_language(content),
    )


def start_build(pelican: Any) -> None:
    """Read the plugin's settings at the start of a run."""
    global _build
    _build = _Build(pelican.settings)
    if not _build.identity.database_url:
        log.error("%s KILN['DATABASE_URL'] is not set; pages get empty comment sections", PREFIX)


@pass_context
def page_language_of(context: Context) -> PageLanguage:
    """Return the languages of the page a Pelican template renders: its post's Lang, else DEFAULT_LANG; KILN forces."""
    item = context.get("article") or context.get("page")
    kiln = context.get("KILN") or {}
    return page_language(getattr(item, "lang", None), kiln.get("LANGUAGE"), context.get("DEFAULT_LANG"))


def _chrome(context: Context) -> str:
    return page_language_of(context).chrome


def add_template_globals(generator: Any) -> None:
    """Give the theme Kiln's functions, its gettext in each page's chrome language, and local dates."""
    install_gettext(generator.env, _chrome)
    generator.env.globals["kiln_language"] = page_language_of
    timezone = generator.settings.get("TIMEZONE") or "UTC"
    generator.env.filters["kiln_date"] = pass_context(lambda ctx, moment: post_date(moment, timezone, _chrome(ctx)))
    generator.env.filters["kiln_number"] = pass_context(lambda ctx, value: number(value, _chrome(ctx)))
    generator.env.globals["kiln_comments"] = _kiln_comments
    generator.env.globals["kiln_count"] = _kiln_count
    generator.env.globals["kiln_head"] = _kiln_head
    generator.env.globals["kiln_feed"] = _kiln_feed
    generator.env.globals["KILN_SITE_FEED"] = SITE_FEED_PATH


def _kiln_comments(content: Any) -> Markup:
    assert _build is not None
    return _build.region("comments", content)


def _kiln_count(content: Any) -> Markup:
    assert _build is not None
    return _build.region("count", content)


def _kiln_head(content: Any) -> Markup:
    assert _build is not None
    return _build.head(content)


def _kiln_feed(content: Any) -> str:
    return post_feed_path(content.slug)


def load_threads(generators: list[Any]) -> None:
    """Register every post's thread in the store and load the approved comments."""
    if _build is None or not _build.identity.database_url:
        return
    contents = [c for g in generators for c in getattr(g, "articles", []) + getattr(g, "pages", [])]
    posts = [_post_info(c) for c in contents]
    try:
        with database(_build.identity.database_url).transaction() as session:
            sync_posts(session, posts)
            session.flush()
            slugs = [p.slug for p in posts]
            _build.views, _build.feeds = views_and_feeds(session, slugs)
            _build.latest = latest_comments(session, _build.options.feed_length)
    except SQLAlchemyError as error:
        log.error("%s cannot read the comment store: %s", PREFIX, error)


def note_written(path: str, context: Any = None) -> None:
    """Record which comment regions the file just written contains."""
    if _build is not None:
        _build.written(path)


def write_feeds_and_manifest(pelican: Any) -> None:
    """Write the comment feeds, then save which files show which post's comment data."""
    global _build
    if _build is not None:
        _build.write_feeds()
        _build.manifest.save(_build.output)
    # The run is over: its thread views (every comment of the site) need not outlive it.
    _build = None


def register() -> None:
    """Connect the plugin's receivers to Pelican's signals."""
    signals.initialized.connect(start_build)
    signals.generator_init.connect(add_template_globals)
    signals.all_generators_finalized.connect(load_threads)
    signals.content_written.connect(note_written)
    signals.finalized.connect(write_feeds_and_manifest)
