"""A naive Bayes spam score in the SpamBayes manner: token probabilities combined by chi-square."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

# Robinson's smoothing: a token seen n times counts as n observations plus
# STRENGTH observations of the neutral probability.
STRENGTH = 0.45
NEUTRAL = 0.5
# Tokens closer to neutral than this are noise; at most MAX_CLUES tokens decide.
MIN_DISTANCE = 0.1
MAX_CLUES = 150
MAX_TOKEN = 100  # spam_tokens.token is String(100)

_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_WORD_STRIP = string.punctuation + "“”‘’«»…"
_PIECES = re.compile(r"[^\W_]+")


def _word_tokens(text: str) -> Iterable[str]:
    for raw in _URL_IN_TEXT.sub(" ", text).lower().split():
        word = raw.strip(_WORD_STRIP)
        if 3 <= len(word) <= 20:
            yield word
        elif len(word) > 20:
            # Long strings (hashes, glued keywords) say something by their length, not their letters.
            yield f"skip:{word[0]} {len(word) // 10 * 10}"


def _url_tokens(prefix: str, url: str) -> Iterable[str]:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        yield f"{prefix}:unparsable"
        return
    host = (parts.hostname or "").rstrip(".")
    labels = host.split(".") if host else []
    # Every suffix of the host: "url:pills.example.com", "url:example.com", "url:com".
    for i in range(len(labels)):
        yield f"{prefix}:{'.'.join(labels[i:])}"
    yield f"{prefix}-scheme:{parts.scheme or 'none'}"
    for piece in _PIECES.findall(parts.path.lower() + " " + parts.query.lower()):
        if len(piece) >= 3:
            yield f"{prefix}-path:{piece[:30]}"


def tokens(author: str, website: str, body: str, links: Iterable[str]) -> set[str]:
    """Return the distinct tokens of a comment's body, name, website and links."""
    links = list(links)
    found = set(_word_tokens(body))
    found.update(f"name:{word}" for word in _word_tokens(author))
    found.add(f"name-words:{min(len(author.split()), 5)}")
    if website:
        found.update(_url_tokens("site", website))
    else:
        found.add("site:none")
    for link in links:
        found.update(_url_tokens("url", link))
    found.add(f"links:{min(len(links), 5)}")
    return {token[:MAX_TOKEN] for token in found}


def token_probability(spam: int, ham: int, spam_docs: int, ham_docs: int) -> float:
    """Return how spammy a token is, from how many spam and ham comments held it."""
    spam_ratio = spam / spam_docs if spam_docs else 0.0
    ham_ratio = ham / ham_docs if ham_docs else 0.0
    if spam_ratio + ham_ratio == 0:
        return NEUTRAL
    raw = spam_ratio / (spam_ratio + ham_ratio)
    seen = spam + ham
    return (STRENGTH * NEUTRAL + seen * raw) / (STRENGTH + seen)


def _chi2_survival(chi2: float, degrees: int) -> float:
    # Probability that a chi-squared variable with even degrees exceeds chi2.
    half = chi2 / 2.0
    term = total = math.exp(-half)
    for i in range(1, degrees // 2):
        term *= half / i
        total += term
    return min(total, 1.0)


def spam_probability(
    counts: Mapping[str, tuple[int, int]], spam_docs: int, ham_docs: int
) -> tuple[float, list[tuple[str, float]]]:
    """Return a 0..1 spam score and the tokens that decided it, strongest first."""
    clues = []
    for token, (spam, ham) in counts.items():
        probability = token_probability(spam, ham, spam_docs, ham_docs)
        if abs(probability - NEUTRAL) >= MIN_DISTANCE:
            clues.append((token, min(max(probability, 1e-6), 1 - 1e-6)))
    clues.sort(key=lambda clue: abs(clue[1] - NEUTRAL), reverse=True)
    clues = clues[:MAX_CLUES]
    if not clues:
        return NEUTRAL, []
    n = len(clues)
    spamminess = 1.0 - _chi2_survival(-2.0 * sum(math.log(1.0 - p) for _, p in clues), 2 * n)
    hamminess = 1.0 - _chi2_survival(-2.0 * sum(math.log(p) for _, p in clues), 2 * n)
    return (spamminess - hamminess + 1.0) / 2.0, clues
