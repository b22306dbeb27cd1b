"""Email settings as the rest of the notify package needs them: on or off, SMTP, recipients, links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from ..baking.trigger import site_of

SECURITY_CHOICES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server and whom the mail is from."""

    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str
    timeout: float


def mail_enabled(config: Mapping[str, Any]) -> bool:
    """Tell whether Kiln sends email: it needs a server, a From address and absolute links."""
    return bool(config["MAIL_HOST"] and config["MAIL_FROM"] and config["SITE_URL"])


def missing_mail_settings(config: Mapping[str, Any]) -> list[str]:
    """Name the settings still needed when MAIL_HOST asks for email but email cannot work."""
    if not config["MAIL_HOST"]:
        return []
    needed = {"MAIL_FROM": config["MAIL_FROM"], "SITE_URL": config["SITE_URL"]}
    return [name for name, value in needed.items() if not value]


def smtp_settings(config: Mapping[str, Any]) -> SmtpSettings:
    """Read the SMTP settings, refusing an unknown MAIL_SECURITY."""
    security = str(config["MAIL_SECURITY"]).lower()
    if security not in SECURITY_CHOICES:
        raise ValueError(f"MAIL_SECURITY must be one of {', '.join(SECURITY_CHOICES)}, not {security!r}")
    return SmtpSettings(
        host=str(config["MAIL_HOST"]),
        port=int(config["MAIL_PORT"]),
        security=security,
        username=str(config["MAIL_USERNAME"]),
        password=str(config["MAIL_PASSWORD"]),
        sender=str(config["MAIL_FROM"]),
        timeout=float(config["MAIL_TIMEOUT"]),
    )


def moderator_addresses(config: Mapping[str, Any]) -> list[str]:
    """Return the configured moderator addresses; empty means "every moderator account with an email"."""
    value = config["MAIL_MODERATORS"]
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item.strip()]


def service_base(config: Mapping[str, Any]) -> str:
    """Return the absolute base URL the service's pages are reached at."""
    return str(config["SERVICE_URL"] or config["SITE_URL"]).rstrip("/")


def site_link(config: Mapping[str, Any], path: str) -> str:
    """Return the absolute URL of a page of the static site."""
    return f"{str(config['SITE_URL']).rstrip('/')}/{path.lstrip('/')}"


def service_link(app: Flask, endpoint: str, **values: Any) -> str:
    """Return the absolute URL of a service route, also outside a request (e.g. from the CLI)."""
    # A fixed base rather than the request's Host header, which a submitter controls.
    path = app.url_map.bind("localhost").build(endpoint, values)
    return service_base(app.config) + path


def site_name(app: Flask) -> str:
    """Return the name the site goes by in email."""
    return str(app.config["SITE_NAME"] or site_of(app).options.site_name)
