"""The blog's identity: where the site and its comment service live, its name, its comment store, its closing rule.

A plain Pelican build reads it from pelicanconf.py (SITEURL, SITENAME and the KILN dict). The
service resolves it once from its own settings, with Pelican's values where its own are unset,
and passes its store and closing rule into the Pelican settings of the builds it runs.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any

from flask import Flask

from ..language.choice import PageLanguage, page_language
from .pelican_settings import conf_path, read_render_settings

log = logging.getLogger(__name__)

# The keys of pelicanconf.py's KILN dict; the service passes DATABASE_URL and AUTO_CLOSE_DAYS into its builds.
KILN_KEYS = frozenset(
    {
        "DATABASE_URL",
        "SERVICE_URL",
        "AUTO_CLOSE_DAYS",
        "COMMENT_FEED_LENGTH",
        "LANGUAGE",
        "COLLAPSE_AFTER",
        "AVATARS",
        "AVATAR_KEY",
    }
)
# The service's settings the identity is resolved from: a change to one resolves it anew.
# One C-level call gathers them: the key is read at every use (each comment submission's redirect).
_service_values = itemgetter(
    "SITE_DIR",
    "PELICAN_CONF",
    "SITE_URL",
    "SERVICE_URL",
    "SITE_NAME",
    "DATABASE_URL",
    "AUTO_CLOSE_DAYS",
    "LANGUAGE",
    "SECRET_KEY",
)
_EXTENSION = "kiln_site_identity"


@dataclass(frozen=True)
class SiteIdentity:
    """Who the blog is: its addresses (no trailing slash), its name, its comment store and closing rule."""

    # The site's base URL; "" for links from the site's root.
    site_url: str = ""
    # The comment service's base URL; "" where it shares the site's origin.
    service_url: str = ""
    site_name: str = ""
    database_url: str = ""
    # Threads close this many days after the post's date (0: never).
    auto_close_days: int = 0
    # The one language of Kiln's chrome on every page when set; else each page speaks its post's Lang.
    language: str = ""
    # Pelican's DEFAULT_LANG: the language of pages without a Lang of their own.
    default_language: str = "en"
    # Pelican's TIMEZONE: every date Kiln shows is in it.
    timezone: str = "UTC"
    # What identicons are drawn with: derived from the service's secret, so builds and bakes draw alike.
    avatar_key: str = field(default="", repr=False)

    @property
    def service_base(self) -> str:
        """Return the base URL of links to the service from outside its pages (email): service_url, else site_url."""
        return self.service_url or self.site_url

    def site_link(self, path: str) -> str:
        """Return the URL of a page of the site, absolute when site_url is."""
        return f"{self.site_url}/{path.lstrip('/')}"

    def page_language(self, post_lang: str | None) -> PageLanguage:
        """Return the languages of a post's page (None: a page of the whole site): content, and the chrome around it."""
        return page_language(post_lang, self.language, self.default_language)


def from_pelican(settings: Mapping[str, Any]) -> SiteIdentity:
    """Return the identity a plain Pelican build has: SITEURL, SITENAME and the KILN dict; warn of unknown KILN keys."""
    kiln: Mapping[str, Any] = settings.get("KILN") or {}
    for key in sorted(set(kiln) - KILN_KEYS):
        log.warning("kiln: unknown key %s in Pelican's KILN setting is ignored", key)
    return SiteIdentity(
        site_url=str(settings.get("SITEURL") or "").rstrip("/"),
        service_url=str(kiln.get("SERVICE_URL") or "").rstrip("/"),
        site_name=str(settings.get("SITENAME") or ""),
        database_url=str(kiln.get("DATABASE_URL") or ""),
        auto_close_days=int(kiln.get("AUTO_CLOSE_DAYS") or 0),
        language=str(kiln.get("LANGUAGE") or ""),
        default_language=str(settings.get("DEFAULT_LANG") or "en"),
        timezone=str(settings.get("TIMEZONE") or "UTC"),
        avatar_key=str(kiln.get("AVATAR_KEY") or ""),
    )


def resolve(config: Mapping[str, Any], pelican: SiteIdentity) -> SiteIdentity:
    """Return the service's identity: its own settings first, the Pelican site's where those are unset."""
    return SiteIdentity(
        site_url=str(config["SITE_URL"] or "").rstrip("/") or pelican.site_url,
        service_url=str(config["SERVICE_URL"] or "").rstrip("/") or pelican.service_url,
        site_name=str(config["SITE_NAME"] or "") or pelican.site_name,
        # The service always has these (config.py fills the store in); its builds take them from it.
        database_url=str(config["DATABASE_URL"]),
        auto_close_days=int(config["AUTO_CLOSE_DAYS"] or 0),
        language=str(config.get("LANGUAGE") or "") or pelican.language,
        default_language=pelican.default_language,
        timezone=pelican.timezone,
        avatar_key=avatar_key(config["SECRET_KEY"]) if config.get("SECRET_KEY") else pelican.avatar_key,
    )


def for_service_build(settings: Mapping[str, Any], service: SiteIdentity) -> dict[str, Any]:
    """Return Pelican settings for a build or bake by the service: KILN names its store, closing rule and language."""
    store_and_rule = {
        "DATABASE_URL": service.database_url,
        "AUTO_CLOSE_DAYS": service.auto_close_days,
        "LANGUAGE": service.language,
        "AVATAR_KEY": service.avatar_key,
    }
    return {**settings, "KILN": {**(settings.get("KILN") or {}), **store_and_rule}}


def avatar_key(secret: str | bytes) -> str:
    """Return the key identicons are drawn with: derived from the secret, so the secret itself stays in the service."""
    raw = secret.encode() if isinstance(secret, str) else secret
    if not raw:
        raise ValueError("an avatar key needs a non-empty secret")
    return hmac.new(raw, b"kiln avatars v1", hashlib.sha256).hexdigest()


@cache
def pelican_identity(conf: str) -> SiteIdentity:
    """Return the identity of the Pelican site whose settings file is conf (run once per process, as bakes read it)."""
    return from_pelican(read_render_settings(conf))


def identity_of(app: Flask) -> SiteIdentity:
    """Return the app's identity, resolved once per value of the settings it is resolved from."""
    # Keyed by those values rather than kept for good: a test or a shell that changes one sees it.
    key = _service_values(app.config)
    cached = app.extensions.get(_EXTENSION)
    if cached is not None and cached[0] == key:
        identity: SiteIdentity = cached[1]
        return identity
    identity = resolve(app.config, pelican_identity(conf_path(app.config)))
    app.extensions[_EXTENSION] = (key, identity)
    return identity
