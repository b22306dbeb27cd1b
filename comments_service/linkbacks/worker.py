"""Background verification: threads in each process take stored webmentions, verify them, retry or give up."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

from flask import Flask

from ..background.lease import LeaseTerms
from ..background.worker import BackgroundWorker
from ..store.database import database
from ..store.models import utcnow
from ..store.pending_webmentions import claim_next, settle
from .fetcher import policy_from_config
from .webmention import TryLater, process

log = logging.getLogger(__name__)


def lease_terms(config: Mapping[str, Any]) -> LeaseTerms:
    """Return how verifiers hold stored mentions: WEBMENTION_MAX_ATTEMPTS tries, WEBMENTION_RETRY_DELAY doubling."""
    # The lease outlasts a verification (its fetch has a total deadline), so only a dead worker's
    # claim ever expires, and then another worker takes the mention up.
    return LeaseTerms.from_settings(config, "WEBMENTION", float(config["FETCH_DEADLINE"]))


def verify_next(app: Flask) -> str | None:
    """Claim one due webmention and verify it; say "verified", "retry" or "gave up", or None if none is due."""
    config = app.config
    terms = lease_terms(config)
    with database(config["DATABASE_URL"]).transaction() as session:
        mention = claim_next(session, utcnow(), terms.max_attempts, terms.length)
    if mention is None:
        return None
    try:
        with app.app_context():
            process(mention, policy_from_config(config))
    except TryLater as error:
        reason = str(error)
    except Exception as error:
        # The boundary of a background job: nobody else would see this error. It counts as an attempt,
        # so a mention that always fails is given up rather than tried for ever.
        log.exception("kiln linkbacks: verifying the webmention from %s failed", mention.source)
        reason = f"{type(error).__name__}: {error}"
    else:
        with database(config["DATABASE_URL"]).transaction() as session:
            settle(session, mention, None)
        return "verified"
    gave_up = terms.exhausted(mention.attempts)
    if gave_up:
        reason = f"gave up after {mention.attempts} attempts: {reason}"
    with database(config["DATABASE_URL"]).transaction() as session:
        settle(session, mention, utcnow() + terms.retry_delay(mention.attempts), reason)
    log.warning("kiln linkbacks: webmention from %s (attempt %d): %s", mention.source, mention.attempts, reason)
    return "gave up" if gave_up else "retry"


def drain(app: Flask) -> Counter[str]:
    """Verify every due webmention in this thread, once; count what happened to them."""
    results: Counter[str] = Counter()
    while (result := verify_next(app)) is not None:
        results[result] += 1
    return results


class WebmentionVerifier(BackgroundWorker):
    """WEBMENTION_WORKERS threads that verify stored webmentions: woken by each new one, and every poll for retries."""

    name = "kiln-webmention"

    def __init__(self, app: Flask) -> None:
        self._app = app
        super().__init__(float(app.config["WEBMENTION_POLL_INTERVAL"]), int(app.config["WEBMENTION_WORKERS"]))

    @classmethod
    def enabled(cls, config: Mapping[str, Any]) -> bool:
        """Verify in the service unless WEBMENTION_WORKERS is 0 (`flask process-webmentions` does, from cron)."""
        return int(config["WEBMENTION_WORKERS"]) > 0

    @classmethod
    def for_app(cls, app: Flask) -> WebmentionVerifier:
        """Verify the mentions stored for app."""
        return cls(app)

    def work(self, ticket: int) -> None:
        """Verify due mentions until none is left, or until stopped."""
        while not self.stopping and verify_next(self._app) is not None:
            pass


def start_verifier(app: Flask) -> WebmentionVerifier | None:
    """Return this process's verifier, started, unless WEBMENTION_WORKERS is 0."""
    return WebmentionVerifier.start_for(app)


def wake_verifier(app: Flask) -> None:
    """Nudge this process's verifier, if it runs, to verify a newly stored mention now."""
    WebmentionVerifier.wake_for(app)


def stop_verifier(app: Flask, timeout: float = 10.0) -> bool:
    """Let this process's verifier (if it runs) finish what is due, then end it; False if it was not idle in time."""
    verifier = WebmentionVerifier.running(app)
    idle = verifier is None or verifier.wait_idle(timeout)
    WebmentionVerifier.stop_for(app, timeout)
    return idle
