"""Every setting Kiln reads, declared once with its default and help text."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Config, Flask

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
    Setting(
        "SITE_URL", "", "Absolute base URL of the site, for the service's links to it; Pelican's SITEURL if unset."
    ),
    Setting("HOLD_FOR_MODERATION", True, "Hold comments no check objects to for a moderator; false publishes them."),
    Setting(
        "EDIT_MINUTES", 15, "A reader may edit or delete their comment this long, while nobody has replied (0: never)."
    ),
    Setting("OWN_COMMENT_DAYS", 7, "A reader's browser shows them their own unpublished comment for this many days."),
    Setting("MAX_THREAD_DEPTH", 5, "Replies deeper than this attach to the deepest allowed ancestor."),
    Setting("AUTHOR_MAX", 245, "Longest accepted commenter name, in characters."),
    Setting("EMAIL_MAX", 100, "Longest accepted email address, in characters."),
    Setting("WEBSITE_MAX", 200, "Longest accepted website URL, in characters."),
    Setting("BODY_MAX", 65536, "Longest accepted comment body, in characters."),
    Setting("MAX_CONTENT_LENGTH", 256 * 1024, "Request bodies over this many bytes get 413."),
    Setting("RATELIMIT_STORAGE_URI", "memory://", "Flask-Limiter storage; redis://… for several processes."),
    Setting("SUBMIT_RATE_LIMIT", "30 per minute;300 per hour", "Limit on comment posts per address."),
    Setting("LOGIN_RATE_LIMIT", "30 per minute", "Limit on login attempts per address."),
    Setting("PUBLIC_RATE_LIMIT", "120 per minute;1000 per hour", "Limit per address on each endpoint without its own."),
    Setting(
        "SPAM_CHECKS",
        "honeypot,duplicate,flood,disallowed,moderation_words,links,gibberish,learning_filter,known_author",
        "The spam checks each submission goes through, comma-separated (see comments_service/spam/).",
    ),
    Setting(
        "FLOOD_SECONDS", 15, "A second comment from one address within this many seconds gets 429; 0 turns it off."
    ),
    Setting("MAX_LINKS", 2, "Comments with more links than this wait for moderation."),
    Setting(
        "MODERATION_WORDS", "", "Words or phrases (one per line or comma-separated) that hold a comment for review."
    ),
    Setting("DISALLOWED_WORDS", "", "Words or phrases (one per line or comma-separated) that mark a comment spam."),
    Setting(
        "DISALLOWED_ADDRESSES", "", "IP addresses or networks (CIDR, e.g. 203.0.113.0/24) whose comments are spam."
    ),
    Setting("DISALLOWED_EMAILS", "", "Email addresses, or whole domains as @example.com, whose comments are spam."),
    Setting("APPROVE_KNOWN_AUTHORS", False, "Publish at once a comment whose name and email have an approved one."),
    Setting(
        "SPAM_FILTER_MIN_TRAINING", 10, "The learning filter votes once it learnt this many spam and approved comments."
    ),
    Setting("SPAM_FILTER_SPAM_AT", 0.9, "Learning-filter score (0-1) from which a comment is marked spam."),
    Setting(
        "SPAM_FILTER_HOLD_AT", 0.5, "Learning-filter score from which a comment waits even if another check approves."
    ),
    Setting("TRUSTED_PROXIES", 0, "How many reverse proxies in front set X-Forwarded-For (nginx: 1)."),
    Setting("LINKBACK_RATE_LIMIT", "20 per minute;200 per hour", "Limit on linkback pings per client address."),
    Setting("LINKBACK_SOURCE_RATE_LIMIT", "5 per minute;50 per hour", "Limit on linkback pings per source host."),
    Setting("FETCH_DEADLINE", 10.0, "Seconds one outbound fetch may take in all, redirects included."),
    Setting("FETCH_MAX_BYTES", 1024 * 1024, "Largest response body an outbound fetch reads."),
    Setting("LINKBACKS_ALLOW_LOOPBACK", False, "Tests only (needs TESTING): let fetches reach 127.0.0.1 and ::1."),
    Setting("WEBMENTION_WORKERS", 2, "Threads per process that verify stored webmentions (0: only the CLI does)."),
    Setting("WEBMENTION_QUEUE_MAX", 100, "Webmentions waiting for verification before new ones get 429."),
    Setting("WEBMENTION_MAX_ATTEMPTS", 6, "Tries to check a webmention's source before giving up on it."),
    Setting("WEBMENTION_RETRY_DELAY", 60, "Seconds before checking an unreachable source again; doubling each time."),
    Setting("WEBMENTION_RETRY_MAX_DELAY", 3 * 3600, "Longest wait between two checks of a source, in seconds."),
    Setting("WEBMENTION_POLL_INTERVAL", 30, "Seconds between the verifier's looks for due retries."),
    Setting("SEND_LINKBACKS_AFTER_BUILD", False, "After `flask build`, send linkbacks from posts new in that build."),
    Setting(
        "SERVICE_URL", "", "Absolute base URL of this service, for links in email; KILN['SERVICE_URL'], else SITE_URL."
    ),
    Setting("SITE_NAME", "", "The site's name in email; Pelican's SITENAME if unset."),
    Setting(
        "LANGUAGE",
        "",
        "Kiln's one language on every page and in all mail (en, nl, de, fr); Pelican's KILN['LANGUAGE'] if unset, "
        "else each post's Lang (moderators: their account's language).",
    ),
    Setting("MAIL_HOST", "", "SMTP server; email is off while this, MAIL_FROM or SITE_URL is unset."),
    Setting("MAIL_PORT", 587, "SMTP port (587 for STARTTLS, 465 for SSL, 25 for none)."),
    Setting("MAIL_SECURITY", "starttls", "How to secure the SMTP connection: starttls, ssl or none."),
    Setting("MAIL_USERNAME", "", "SMTP login; no login if unset."),
    Setting("MAIL_PASSWORD", "", "SMTP password; set it through KILN_MAIL_PASSWORD, not a file."),
    Setting("MAIL_FROM", "", "From address of Kiln's email, e.g. 'Blog <blog@example.org>'."),
    Setting("MAIL_TIMEOUT", 10, "Seconds to wait for the SMTP server before trying again later."),
    Setting("MAIL_MODERATORS", "", "New-comment mail goes here (comma-separated); else to moderators' accounts."),
    Setting("MAIL_MAX_ATTEMPTS", 10, "Tries per message before the outbox gives up on it."),
    Setting("MAIL_RETRY_DELAY", 60, "Seconds before the first retry; each further retry waits twice as long."),
    Setting("MAIL_RETRY_MAX_DELAY", 6 * 3600, "Longest wait between two tries, in seconds."),
    Setting("MAIL_POLL_INTERVAL", 30, "Seconds between the sender thread's looks at the outbox."),
    Setting("MAIL_LINK_MAX_AGE", 7 * 24 * 3600, "Seconds a moderation link in email stays valid."),
    Setting("MAIL_LINK_RATE_LIMIT", "60 per minute", "Limit on email-link pages and posts per address."),
    Setting("AUTO_CLOSE_DAYS", 0, "Close a post's thread this many days after the post's date (0: never)."),
    Setting("LOGIN_MAX_FAILURES", 10, "Failed logins per account or address before logins are refused (429)."),
    Setting("LOGIN_FAILURE_WINDOW", 15 * 60, "Seconds over which failed logins are counted, and refused for."),
    Setting("LOGIN_SESSION_HOURS", 12, "A moderator's login lasts this long, then they log in again."),
    Setting("QUEUE_PAGE_SIZE", 50, "Comments per page in the moderation queue."),
    Setting("QUEUE_SEARCH_WINDOW", 10_000, "Comments a queue text search reads per page, to bound its cost."),
    Setting(
        "BAKE_IN_PROCESS", True, "Apply queued bakes in a thread of the service; off when `flask bake-worker` runs."
    ),
    Setting("BAKE_WAIT_SECONDS", 5.0, "How long a moderation request waits for its bake to be on disk."),
    Setting(
        "BAKE_BATCH_SECONDS",
        1.0,
        "While reader comments published without moderation keep coming, bake at most once per this many seconds.",
    ),
    Setting("BAKE_POLL_SECONDS", 1.0, "How often a bake worker looks for jobs queued by other processes."),
    Setting("BAKE_RETRY_DELAY", 1.0, "Seconds before a failed bake is tried again; doubling each time."),
    Setting("BAKE_RETRY_MAX_DELAY", 600.0, "Longest wait between two tries of a failing bake, in seconds."),
    Setting("BAKE_HOOK", "", "Command run after each batch of bakes, with the changed files as arguments."),
    Setting("BAKE_HOOK_TIMEOUT", 300.0, "Seconds the post-bake command may take before it is stopped."),
)

_KNOWN = {s.name for s in SETTINGS}
# Flask's and its extensions' own keys are not ours to warn about.
_FOREIGN_PREFIXES = ("SESSION_", "WTF_", "RATELIMIT_", "PERMANENT_", "PREFERRED_", "TEMPLATES_")
# Read by gunicorn.conf.py, not by the app.
_SERVER_KEYS = {"BIND", "WORKERS", "THREADS"}
# Read by the test suite and the benchmarks from the environment (KILN_TEST_POSTGRES_URL, …), not by the app.
_TOOL_PREFIXES = ("TEST_", "HYPOTHESIS_", "BENCH_")


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config from defaults, instance/config.py, KILN_* variables and test_config; warn of unknown keys."""
    for setting in SETTINGS:
        app.config[setting.name] = setting.default
    # Read apart first, so its own keys can be checked.
    instance_file = Config(app.config.root_path)
    instance_file.from_pyfile("config.py", silent=True)
    app.config.update(instance_file)
    app.config.from_prefixed_env("KILN")
    if test_config:
        app.config.update(test_config)
    instance_path = os.path.join(app.config.root_path, "config.py")
    _warn_unknown(instance_file, instance_path)
    given = {k[len("KILN_") :] for k in os.environ if k.startswith("KILN_")}
    _warn_unknown({name for name in given - _SERVER_KEYS if not name.startswith(_TOOL_PREFIXES)}, "the environment")
    _warn_unknown(test_config or {}, "test_config")
    _fill_derived(app)


def _warn_unknown(names: Iterable[str], source: str) -> None:
    flask_keys = set(Flask.default_config)
    for name in sorted(set(names) - _KNOWN - flask_keys):
        if not name.startswith(_FOREIGN_PREFIXES):
            log.warning("kiln: unknown setting %s in %s is ignored", name, source)


def _fill_derived(app: Flask) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'kiln.sqlite3'}"
    if not app.config["SITE_DIR"]:
        app.config["SITE_DIR"] = str(Path(__file__).resolve().parent.parent)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    # Off: X-RateLimit-* and Retry-After on every answer read the limit's window from storage
    # (a Redis round trip per request); a 429 carries its Retry-After from errors._rate_limited.
    app.config["RATELIMIT_HEADERS_ENABLED"] = False
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
