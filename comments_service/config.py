"""Every setting Kiln reads, declared once with its default and help text."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    """One configuration key: its default and what it does."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", None, "Signs sessions and links; generated into the instance folder if unset."),
    Setting("DATABASE_URL", None, "SQLAlchemy URL; SQLite in the instance folder if unset."),
    Setting("SITE_DIR", None, "Folder holding pelicanconf.py, content/ and theme/; the repository if unset."),
    Setting("PELICAN_CONF", "pelicanconf.py", "Pelican settings file, relative to SITE_DIR."),
    Setting("OUTPUT_PATH", None, "Where the site is built; Pelican's OUTPUT_PATH if unset."),
    Setting("SERVE_SITE", False, "Serve the built site from the service too (for `make run`)."),
    Setting("SITE_URL", "", "Absolute base URL of the site, for links in feeds and email."),
    Setting("MAX_THREAD_DEPTH", 5, "Replies deeper than this attach to the deepest allowed ancestor."),
    Setting("AUTHOR_MAX", 245, "Longest accepted commenter name, in characters."),
    Setting("EMAIL_MAX", 100, "Longest accepted email address, in characters."),
    Setting("WEBSITE_MAX", 200, "Longest accepted website URL, in characters."),
    Setting("BODY_MAX", 65536, "Longest accepted comment body, in characters."),
    Setting("MAX_CONTENT_LENGTH", 256 * 1024, "Request bodies over this many bytes get 413."),
    Setting("RATELIMIT_STORAGE_URI", "memory://", "Flask-Limiter storage; redis://… for several processes."),
    Setting("SUBMIT_RATE_LIMIT", "30 per minute;300 per hour", "Limit on comment posts per address."),
    Setting("LOGIN_RATE_LIMIT", "30 per minute", "Limit on login attempts per address."),
    Setting("TRUSTED_PROXIES", 0, "How many reverse proxies in front set X-Forwarded-For (nginx: 1)."),
    Setting(
        "BAKE_IN_PROCESS", True, "Apply queued bakes in a thread of the service; off when `flask bake-worker` runs."
    ),
    Setting("BAKE_WAIT_SECONDS", 5.0, "How long a moderation request waits for its bake to be on disk."),
    Setting("BAKE_POLL_SECONDS", 1.0, "How often a bake worker looks for jobs queued by other processes."),
    Setting("BAKE_HOOK", "", "Command run after each batch of bakes, with the changed files as arguments."),
    Setting("BAKE_HOOK_TIMEOUT", 300.0, "Seconds the post-bake command may take before it is stopped."),
)

_KNOWN = {s.name for s in SETTINGS}
# Flask's and its extensions' own keys are not ours to warn about.
_FOREIGN_PREFIXES = ("SESSION_", "WTF_", "RATELIMIT_", "PERMANENT_", "PREFERRED_", "TEMPLATES_")


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config from defaults, instance/config.py, KILN_* variables and test_config."""
    for setting in SETTINGS:
        app.config[setting.name] = setting.default
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("KILN")
    if test_config:
        app.config.update(test_config)
    _warn_unknown(app, test_config or {})
    _fill_derived(app)


def _warn_unknown(app: Flask, test_config: dict[str, Any]) -> None:
    names = {k[len("KILN_") :] for k in os.environ if k.startswith("KILN_")} | set(test_config)
    flask_keys = set(Flask.default_config)
    for name in sorted(names - _KNOWN - flask_keys):
        if not name.startswith(_FOREIGN_PREFIXES):
            log.warning("kiln: unknown setting %s is ignored", name)


def _fill_derived(app: Flask) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'kiln.sqlite3'}"
    if not app.config["SITE_DIR"]:
        app.config["SITE_DIR"] = str(Path(__file__).resolve().parent.parent)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


def _instance_secret(path: Path) -> str:
    """Read the instance's secret, creating it once (safely across processes)."""
    if not path.exists():
        # Written aside and linked into place, so a second process never
        # reads a half-written key; the loser of a race keeps the winner's.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
