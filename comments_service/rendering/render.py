"""Render a thread's comment regions with the theme's own templates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..closing import is_closed
from ..models import utcnow
from .thread_view import ThreadView

# Each region is a piece of a page that shows comment data, rendered by one
# template and fenced by markers so a bake can replace exactly that piece.
REGION_TEMPLATES = {
    "comments": "kiln/comments.html",
    "count": "kiln/count.html",
}


@dataclass(frozen=True)
class RenderOptions:
    """Site-wide facts the comment templates need, read from the Pelican settings."""

    theme_templates: str
    timezone: str = "UTC"
    service_url: str = ""
    site_url: str = ""
    # Threads close this many days after the post's date (0: never), as AUTO_CLOSE_DAYS.
    auto_close_days: int = 0
    site_name: str = ""
    # How many of the latest approved comments the site-wide comment feed shows.
    feed_length: int = 50


def start_marker(region: str, slug: str) -> str:
    """Return the comment that opens a region in a page."""
    return f"<!--kiln:{region}:{slug}-->"


def end_marker(region: str, slug: str) -> str:
    """Return the comment that closes a region in a page."""
    return f"<!--/kiln:{region}:{slug}-->"


def comment_date(moment: datetime, timezone: str) -> str:
    """Format a comment's time as the page shows it: 'May 25, 2009 at 7:25'."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%B} {local.day}, {local.year} at {local.hour}:{local:%M}"


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
    env.filters["comment_date"] = lambda moment: comment_date(moment, timezone)
    env.filters["iso_date"] = lambda moment: iso_date(moment, timezone)
    env.filters["host"] = lambda url: urlsplit(url).hostname or url
    return env


def render_region(region: str, view: ThreadView, options: RenderOptions, now: datetime | None = None) -> str:
    """Render one region's inner HTML for a thread, as it stands at now (default: this moment)."""
    # Closure by age is decided here, so full builds and bakes apply the same rule.
    closed = is_closed(view.closed, view.published, options.auto_close_days, now or utcnow())
    shown = replace(view, closed=closed)
    return render_theme_template(
        REGION_TEMPLATES[region], options, thread=shown, service_url=options.service_url, site_url=options.site_url
    )


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


def options_from_pelican(settings: dict[str, Any]) -> RenderOptions:
    """Derive render options from Pelican settings, the single source for both paths."""
    kiln = settings.get("KILN", {})
    return RenderOptions(
        theme_templates=theme_templates_dir(settings["THEME"]),
        timezone=settings.get("TIMEZONE") or "UTC",
        service_url=kiln.get("SERVICE_URL", "").rstrip("/"),
        site_url=settings.get("SITEURL", "").rstrip("/"),
        auto_close_days=int(kiln.get("AUTO_CLOSE_DAYS") or 0),
        site_name=settings.get("SITENAME", ""),
        feed_length=int(kiln.get("COMMENT_FEED_LENGTH", 50)),
    )
