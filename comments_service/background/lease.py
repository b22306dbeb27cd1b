"""The terms on which a worker holds a row of a durable queue: how long a claim lasts, when a failure is tried again."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class LeaseTerms:
    """A claim hides a row for length; each failure waits twice as long as the last, up to max_delay."""

    length: timedelta
    max_attempts: int
    first_delay: float
    max_delay: float

    @classmethod
    def outlasting(cls, attempt_seconds: float, max_attempts: int, first_delay: float, max_delay: float) -> LeaseTerms:
        """Return terms whose lease is far longer than one attempt can take, so only a dead worker's claim expires."""
        return cls(timedelta(seconds=max(600.0, 20 * attempt_seconds)), max_attempts, first_delay, max_delay)

    @classmethod
    def from_settings(cls, config: Mapping[str, Any], queue: str, attempt_seconds: float) -> LeaseTerms:
        """Return a queue's terms from its settings: queue_MAX_ATTEMPTS, queue_RETRY_DELAY and queue_RETRY_MAX_DELAY."""
        return cls.outlasting(
            attempt_seconds,
            int(config[f"{queue}_MAX_ATTEMPTS"]),
            float(config[f"{queue}_RETRY_DELAY"]),
            float(config[f"{queue}_RETRY_MAX_DELAY"]),
        )

    @classmethod
    def retried_until_done(cls, config: Mapping[str, Any], queue: str) -> LeaseTerms:
        """Return terms for a queue whose rows a lock holds, not a lease, and that never gives one up: only the backoff.

        Bake jobs are such a queue: the site lock keeps two bakers apart, and a post must be
        baked in the end whatever failed before (queue_RETRY_DELAY, queue_RETRY_MAX_DELAY).
        """
        retry, most = float(config[f"{queue}_RETRY_DELAY"]), float(config[f"{queue}_RETRY_MAX_DELAY"])
        return cls(timedelta(0), sys.maxsize, retry, most)

    def retry_delay(self, attempts: int) -> timedelta:
        """Return the wait after the given number of failed attempts: doubling each time, up to the cap."""
        return timedelta(seconds=min(self.first_delay * 2 ** max(attempts - 1, 0), self.max_delay))

    def exhausted(self, attempts: int) -> bool:
        """Tell whether a row tried this often is given up."""
        return attempts >= self.max_attempts
