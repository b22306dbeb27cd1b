"""Gibberish: a comment made mostly of unpronounceable strings (keyboard mashing) is spam."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from ..language.speaking import N_
from .links import URL_IN_TEXT
from .reasons import Reason
from .verdict import Action, Candidate, Verdict

_VOWELS = frozenset("aeiouy")
_CONSONANT_RUN = re.compile(r"[b-df-hj-np-tv-xz]{5,}")
# In Dutch and English a q is followed by a u (or a vowel, as in "Qatar"); "qw", "qp" are keyboard rows.
_LONE_Q = re.compile(r"q[b-df-hj-np-tv-xz]")
_LETTERS = re.compile(r"[^\W\d_]{3,}")
# Below this many words there is too little text to judge.
MIN_WORDS = 5
SPAM_SHARE = 0.25


def _unpronounceable(word: str) -> bool:
    # Mashed keys ("zxcvbn", "hgfd", "qwpoer") have no vowel, a long consonant run or a
    # lone q; real words like that ("angstschreeuw", "strengths") are few in any sentence.
    plain = unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()
    if not _VOWELS.intersection(plain):
        return True
    return _CONSONANT_RUN.search(plain) is not None or _LONE_Q.search(plain) is not None


def odd_words(text: str) -> tuple[int, int]:
    """Return how many words of three or more letters the text has, and how many are unpronounceable."""
    words = _LETTERS.findall(URL_IN_TEXT.sub(" ", text))
    return len(words), sum(map(_unpronounceable, words))


def check(candidate: Candidate, connection: Connection, config: Mapping[str, Any]) -> Verdict | None:
    """Mark as spam a body in which at least half the words are unpronounceable."""
    total, odd = odd_words(candidate.comment.body_source)
    if total >= MIN_WORDS and odd / total >= SPAM_SHARE:
        reason = Reason(N_("gibberish: %(odd)s of %(total)s words are unpronounceable"), {"odd": odd, "total": total})
        return Verdict(Action.SPAM, reason)
    return None
