"""Email settings as the rest of the notify package needs them: on or off, SMTP, recipients, links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from ..blog.identity import identity_of

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


def site_link(app: Flask, path: str) -> str:
    """Return the URL of a page of the static site (absolute while email is on: SITE_URL is set)."""
    return identity_of(app).site_link(path)


def service_link(app: Flask, endpoint: str, **values: Any) -> str:
    """Return the absolute URL of a service route, also outside a request (e.g. from the CLI)."""
    # A fixed base rather than the request's Host header, which a submitter controls.
    path = app.url_map.bind("localhost").build(endpoint, values)
    return identity_of(app).service_base + path


def site_name(app: Flask) -> str:
    """Return the name the site goes by in email: SITE_NAME, else Pelican's SITENAME."""
    return identity_of(app).site_name
