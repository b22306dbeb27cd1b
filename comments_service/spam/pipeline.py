"""The spam pipeline: run the configured checks and combine their verdicts into one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from ..language.speaking import N_
from . import duplicate, flood, gibberish, honeypot, known_author, learning_filter, links, word_lists
from .reasons import Reason, store_reasons
from .verdict import Action, Candidate, Check, Verdict, setting_list

CHECKS: dict[str, Check] = {
    "honeypot": honeypot.check,
    "duplicate": duplicate.check,
    "flood": flood.check,
    "disallowed": word_lists.disallowed_check,
    "moderation_words": word_lists.moderation_check,
    "links": links.check,
    "gibberish": gibberish.check,
    "learning_filter": learning_filter.check,
    "known_author": known_author.check,
}
# Harsher verdicts win: one spam signal outweighs an approval, a hold outweighs it too.
_SEVERITY = {Action.APPROVE: 0, Action.PENDING: 1, Action.SPAM: 2}
_MODERATION_OFF = Reason(N_("moderation is off"))


@dataclass(frozen=True)
class Judgement:
    """The pipeline's answer: the combined verdict, the reasons for it and the duplicate key to store, if checked."""

    verdict: Verdict
    dedupe_key: str | None
    reasons: tuple[Reason, ...] = ()

    @property
    def stored_reason(self) -> str:
        """Return the reasons as comments.verdict_reason holds them (translated when a moderator reads them)."""
        return store_reasons(self.reasons)


def configured_checks(config: Mapping[str, Any]) -> list[str]:
    """Return the names of the checks SPAM_CHECKS turns on; an unknown name raises ValueError."""
    names = setting_list(config["SPAM_CHECKS"])
    unknown = [name for name in names if name not in CHECKS]
    if unknown:
        raise ValueError(f"SPAM_CHECKS: unknown check(s) {', '.join(unknown)}; known: {', '.join(CHECKS)}")
    return names


def judge(candidate: Candidate, connection: Connection, config: Mapping[str, Any]) -> Judgement:
    """Run every configured check; a rejection ends the run, otherwise the harshest verdict wins.

    The duplicate check is put off: the store refuses a copy by its unique dedupe_key (the sender
    gets the same 409), so an accepted comment costs no query for it. It runs only when a later
    check rejects, so that a copy still hears 409 rather than, say, the flood check's 429.
    """
    names = configured_checks(config)
    key = duplicate.dedupe_key(candidate) if "duplicate" in names else None
    verdicts: list[Verdict] = []
    duplicate_due = False
    for name in names:
        if name == "duplicate":
            duplicate_due = True
            continue
        verdict = CHECKS[name](candidate, connection, config)
        if verdict is None:
            continue
        if verdict.action is Action.REJECT:
            if duplicate_due:
                verdict = CHECKS["duplicate"](candidate, connection, config) or verdict
            return Judgement(verdict, key)
        verdicts.append(verdict)
    if not verdicts:
        # Nothing objected: held for a moderator, unless moderation is switched off.
        if config["HOLD_FOR_MODERATION"]:
            return Judgement(Verdict(Action.PENDING, None), key)
        return Judgement(Verdict(Action.APPROVE, _MODERATION_OFF), key, (_MODERATION_OFF,))
    action = max((v.action for v in verdicts), key=_SEVERITY.__getitem__)
    reasons = tuple(v.reason for v in verdicts if v.action is action and v.reason is not None)
    return Judgement(Verdict(action, reasons[0] if reasons else None), key, reasons)
