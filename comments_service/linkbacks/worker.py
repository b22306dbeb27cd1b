"""Background verification: threads in each process take stored webmentions, verify them, retry or give up."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import timedelta

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from ..notify.outbox import backoff
from ..store.database import session_scope
from ..store.models import utcnow
from .fetcher import policy_from_config
from .pending import claim_next, settle
from .webmention import TryLater, process

log = logging.getLogger(__name__)
_EXTENSION = "kiln_webmention_verifier"
_lock = threading.Lock()


def verify_next(app: Flask) -> str | None:
    """Claim one due webmention and verify it; say "verified", "retry" or "gave up", or None if none is due."""
    config = app.config
    max_attempts = int(config["WEBMENTION_MAX_ATTEMPTS"])
    # Far longer than a verification can take (its fetch has a total deadline), so only a dead worker's
    # claim ever expires, and then another worker takes the mention up.
    lease = timedelta(seconds=max(600.0, 20 * float(config["FETCH_DEADLINE"])))
    with session_scope(config["DATABASE_URL"]) as session:
        mention = claim_next(session, utcnow(), max_attempts, lease)
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
        with session_scope(config["DATABASE_URL"]) as session:
            settle(session, mention, None)
        return "verified"
    gave_up = mention.attempts >= max_attempts
    if gave_up:
        reason = f"gave up after {mention.attempts} attempts: {reason}"
    delay = backoff(
        mention.attempts, float(config["WEBMENTION_RETRY_DELAY"]), float(config["WEBMENTION_RETRY_MAX_DELAY"])
    )
    with session_scope(config["DATABASE_URL"]) as session:
        settle(session, mention, utcnow() + delay, reason)
    log.warning("kiln linkbacks: webmention from %s (attempt %d): %s", mention.source, mention.attempts, reason)
    return "gave up" if gave_up else "retry"


def drain(app: Flask) -> Counter[str]:
    """Verify every due webmention in this thread, once; count what happened to them."""
    results: Counter[str] = Counter()
    while (result := verify_next(app)) is not None:
        results[result] += 1
    return results


class Verifier:
    """Worker threads that verify stored webmentions: woken by each new one, and every poll interval for retries."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._state = threading.Condition()
        self._asked = 0  # how many times wait_idle has asked for a pass
        self._answered = 0  # the latest of those asks that a complete pass began after
        self._busy = 0  # threads in a pass
        self._threads = [
            threading.Thread(target=self._run, name=f"kiln-webmention-{number}", daemon=True)
            for number in range(int(app.config["WEBMENTION_WORKERS"]))
        ]

    def start(self) -> None:
        """Start the threads; each begins with a pass, so mentions stored before this process started are taken up."""
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """Look for due mentions now rather than at the next poll."""
        self._wakeup.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the mentions being verified and end the threads."""
        self._stopping.set()
        self._wakeup.set()
        for thread in self._threads:
            thread.join(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Block until every mention due now is verified or rescheduled (True), or timeout seconds pass (False)."""
        if not self._threads:
            return True
        with self._state:
            self._asked += 1
            ask = self._asked
        self.wake()
        with self._state:
            return self._state.wait_for(lambda: self._answered >= ask and self._busy == 0, timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wakeup.clear()
            with self._state:
                ask: int | None = self._asked
                self._busy += 1
            try:
                while not self._stopping.is_set() and verify_next(self._app) is not None:
                    pass
            except SQLAlchemyError:
                # The store may be briefly unreachable; every mention stays stored for the next pass.
                log.exception("kiln linkbacks: the verifier could not read the pending webmentions")
                ask = None
            finally:
                with self._state:
                    self._busy -= 1
                    self._answered = max(self._answered, ask or 0)
                    self._state.notify_all()
            self._wakeup.wait(float(self._app.config["WEBMENTION_POLL_INTERVAL"]))


def start_verifier(app: Flask) -> Verifier:
    """Return this process's verifier, started on first use (after any worker fork)."""
    verifier: Verifier | None = app.extensions.get(_EXTENSION)
    if verifier is None:
        with _lock:
            verifier = app.extensions.get(_EXTENSION)
            if verifier is None:
                verifier = Verifier(app)
                app.extensions[_EXTENSION] = verifier
                verifier.start()
    return verifier


def stop_verifier(app: Flask, timeout: float = 10.0) -> bool:
    """Let this process's verifier (if it runs) finish what is due, then end it; False if it was not idle in time."""
    with _lock:
        verifier: Verifier | None = app.extensions.pop(_EXTENSION, None)
    if verifier is None:
        return True
    idle = verifier.wait_idle(timeout)
    verifier.stop(timeout)
    return idle
