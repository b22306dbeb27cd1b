"""Pelican settings for the Kiln demo blog."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

AUTHOR = "Rikkert Walbeek"
SITENAME = "Sales 2.0"
SITESUBTITLE = "Over verkopen, kwalificeren en nee durven zeggen"
# Absolute when set (make run sets it), so pages can advertise their linkback endpoints.
SITEURL = os.environ.get("KILN_SITE_URL", "")

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "Europe/Amsterdam"
DEFAULT_LANG = "nl"
DEFAULT_DATE_FORMAT = "%-d %B, %Y"

ARTICLE_URL = "{slug}.html"
ARTICLE_SAVE_AS = "{slug}.html"

PLUGIN_PATHS = [str(HERE / "plugins")]
PLUGINS = ["pelican.plugins.neighbors", "kiln_comments"]

# Kiln's settings (an unknown key gets a warning): the comment store the plugin reads, where the
# comment form posts to, and the closing rule. The service passes its own store and closing rule
# when it builds; where its SITE_URL, SITE_NAME or SERVICE_URL is unset it takes SITEURL, SITENAME
# or KILN["SERVICE_URL"] from here.
KILN = {
    "DATABASE_URL": os.environ.get("KILN_DATABASE_URL", f"sqlite:///{HERE / 'instance' / 'kiln.sqlite3'}"),
    "SERVICE_URL": os.environ.get("KILN_SERVICE_URL", ""),
    # Close threads this many days after the post's date (0: never); the service passes its own.
    "AUTO_CLOSE_DAYS": int(os.environ.get("KILN_AUTO_CLOSE_DAYS", "0")),
    # One language for Kiln's words on every page (en, nl, de, fr); unset, each page speaks its post's Lang.
    "LANGUAGE": os.environ.get("KILN_LANGUAGE", ""),
    # Show this many top-level comments and fold the rest under "Show N more comments" (0: show all).
    "COLLAPSE_AFTER": 0,
    # "identicon" (drawn from a keyed hash of the email), "gravatar" (sends readers' browsers there) or "none".
    "AVATARS": "identicon",
}
# The theme's words go through gettext; the kiln_comments plugin installs Kiln's catalogs.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "extensions": ["jinja2.ext.i18n"]}

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

DEFAULT_PAGINATION = 10
RELATIVE_URLS = False
