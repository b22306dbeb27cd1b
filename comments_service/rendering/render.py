"""Render a thread's comment regions with the theme's own templates."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, pass_context, select_autoescape
from markupsafe import Markup

from ..blog.closing import is_closed
from ..blog.identity import SiteIdentity
from ..language.catalogs import catalog_key
from ..language.dates import moment_text, number
from ..language.jinja import chrome_of, install_gettext
from ..store.models import utcnow
from .avatars import gravatar_url, identicon_svg
from .comment_pieces import CONTEXT_NAME, Reuse, reuse_comment
from .fences import digest
from .thread_view import CommentNode, ThreadView

# Each region is a piece of a page that shows comment data, rendered by one
# template and fenced by markers so a bake can replace exactly that piece.
REGION_TEMPLATES = {
    "comments": "kiln/comments.html",
    "count": "kiln/count.html",
}


AVATAR_CHOICES = ("identicon", "gravatar", "none")


@dataclass(frozen=True)
class RenderOptions:
    """Site-wide facts the comment templates need: the theme, the time zone and the site's identity."""

    theme_templates: str
    timezone: str = "UTC"
    # The URLs, name and closing rule the pages show and obey.
    site: SiteIdentity = SiteIdentity()
    # How many of the latest approved comments the site-wide comment feed shows.
    feed_length: int = 50
    # Top-level comments shown before the rest fold away under "Show N more comments" (0: all shown).
    collapse_after: int = 0
    # "identicon" (drawn from a keyed hash of the email), "gravatar" (the site opts in to it) or "none".
    avatars: str = "identicon"
    # The key identicons are drawn with, derived from the service's secret; without one there are none.
    avatar_key: str = ""


def start_marker(region: str, slug: str) -> str:
    """Return the comment that opens a region in a page."""
    return f"<!--kiln:{region}:{slug}-->"


def end_marker(region: str, slug: str) -> str:
    """Return the comment that closes a region in a page."""
    return f"<!--/kiln:{region}:{slug}-->"


def iso_date(moment: datetime, timezone: str) -> str:
    """Format a time for a datetime attribute, in the site's zone."""
    return moment.astimezone(ZoneInfo(timezone)).isoformat()


@cache
def _environment(templates: str, timezone: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    install_gettext(env, chrome_of)
    env.filters["comment_date"] = pass_context(lambda ctx, moment: moment_text(moment, timezone, chrome_of(ctx)))
    env.filters["number"] = pass_context(lambda ctx, value: number(value, chrome_of(ctx)))
    env.filters["iso_date"] = lambda moment: iso_date(moment, timezone)
    env.filters["host"] = lambda url: urlsplit(url).hostname or url
    env.globals["reuse_comment"] = reuse_comment
    env.filters["comment_total"] = comment_total
    return env


def split_thread(roots: list[CommentNode], shown: int) -> tuple[list[CommentNode], list[CommentNode]]:
    """Split top-level comments into those shown and those folded away (none when shown is 0 or covers them)."""
    if shown <= 0 or len(roots) <= shown:
        return roots, []
    return roots[:shown], roots[shown:]


def comment_total(roots: list[CommentNode]) -> int:
    """Count the comments (placeholders of deleted ones left out) in these threads and all their replies."""
    return sum((not node.deleted) + comment_total(node.children) for node in roots)


def avatar_of(options: RenderOptions, node: CommentNode) -> Markup:
    """Return a comment's avatar as the site chose: an identicon, a Gravatar image, or nothing."""
    if options.avatars == "gravatar" and (url := gravatar_url(node.email)):
        # No Referer: Gravatar learns which address is shown, not on which page.
        image = (
            '<img class="avatar" src="{}" alt="" width="40" height="40" loading="lazy" referrerpolicy="no-referrer">'
        )
        return Markup(image).format(url)
    if options.avatars == "none" or not options.avatar_key:
        return Markup("")
    return identicon_svg(options.avatar_key, node.email, node.author)


def region_context(options: RenderOptions, view: ThreadView, **extra: Any) -> dict[str, Any]:
    """Return what the comment templates read besides the thread: its languages, the addresses, the avatars."""
    return {
        "thread": view,
        "language": options.site.page_language(view.language),
        "service_url": options.site.service_url,
        "site_url": options.site.site_url,
        "avatar": partial(avatar_of, options),
        "open_more": False,
        **extra,
    }


def render_region(
    region: str,
    view: ThreadView,
    options: RenderOptions,
    now: datetime | None = None,
    previous: str = "",
    **extra: Any,
) -> str:
    """Render one region's inner HTML for a thread, as it stands at now (default: this moment).

    previous is the text of the page being replaced: its fenced comments that were
    rendered from the same values are reused instead of rendered again. extra adds to what the
    templates read (the service's pages for one reader open the folded comments).
    """
    # Closure by age is decided here, so full builds and bakes apply the same rule.
    closed = is_closed(view.closed, view.published, options.site.auto_close_days, now or utcnow())
    roots, more = split_thread(view.roots, options.collapse_after)
    shown = replace(view, closed=closed, roots=roots, more=more)
    env = _environment(options.theme_templates, options.timezone)
    language = options.site.page_language(view.language)
    # Everything a comment's HTML may depend on besides the comment and its replies.
    depends_on = (
        _templates_key(env),
        options.timezone,
        options.site.service_url,
        options.site.site_url,
        language,
        catalog_key(language.chrome),
        options.avatars,
        digest([options.avatar_key]),
    )
    reuse = Reuse((*depends_on, view.slug, closed, view.published), previous)
    try:
        return render_theme_template(
            REGION_TEMPLATES[region], options, **region_context(options, shown, **{CONTEXT_NAME: reuse, **extra})
        )
    finally:
        # The context can outlive the render in a reference cycle (see Reuse.release):
        # it keeps this copy of the view, but not the comment tree.
        reuse.release()
        shown.roots, shown.more, shown.linkbacks = [], [], []


_source_keys: weakref.WeakKeyDictionary[Template, str] = weakref.WeakKeyDictionary()


@cache
def _page_templates(env: Environment) -> tuple[str, ...]:
    # Listed once: a template added later matters only once an existing one, whose source is in the key, uses it.
    return tuple(env.list_templates(filter_func=lambda name: name.startswith("kiln/") and name.endswith(".html")))


def template_key(env: Environment, name: str) -> str:
    """Return a digest of a template's source, so what was rendered with an older version is rendered anew."""
    # get_template reloads a template whose file changed, as a new Template object.
    template = env.get_template(name)
    key = _source_keys.get(template)
    if key is None:
        assert env.loader is not None
        key = _source_keys[template] = digest((name, env.loader.get_source(env, name)[0]))
    return key


def _templates_key(env: Environment) -> str:
    """Return a digest of the sources of the theme's kiln/ page templates, so an edited one renders anew."""
    return digest([template_key(env, name) for name in _page_templates(env)])


def render_theme_template(name: str, options: RenderOptions, **context: Any) -> str:
    """Render one of the theme's kiln/ templates in the comment regions' (autoescaping) environment."""
    return _environment(options.theme_templates, options.timezone).get_template(name).render(**context)


def fenced_region(region: str, view: ThreadView, options: RenderOptions) -> Markup:
    """Render a region wrapped in its markers, ready to place in a page."""
    inner = render_region(region, view, options)
    return Markup(start_marker(region, view.slug) + inner + end_marker(region, view.slug))


def theme_templates_dir(theme: str | Path) -> str:
    """Return the templates folder of a Pelican theme folder."""
    return str(Path(theme) / "templates")


def options_from_pelican(settings: Mapping[str, Any], site: SiteIdentity) -> RenderOptions:
    """Derive render options from Pelican settings and the identity read from them, for builds and bakes alike."""
    kiln = settings.get("KILN") or {}
    avatars = str(kiln.get("AVATARS") or "identicon")
    if avatars not in AVATAR_CHOICES:
        raise ValueError(f"KILN['AVATARS'] is {avatars!r}; choose one of {', '.join(AVATAR_CHOICES)}")
    return RenderOptions(
        theme_templates=theme_templates_dir(settings["THEME"]),
        timezone=settings.get("TIMEZONE") or "UTC",
        site=site,
        feed_length=int(kiln.get("COMMENT_FEED_LENGTH", 50)),
        collapse_after=int(kiln.get("COLLAPSE_AFTER") or 0),
        avatars=avatars,
        avatar_key=site.avatar_key,
    )
