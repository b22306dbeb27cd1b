"""A naive Bayes spam score in Paul Graham's manner, with Gary Robinson's smoothing of rare tokens."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .gibberish import odd_words
from .links import URL_IN_TEXT

# A token seen n times counts as n observations plus STRENGTH observations of
# the neutral probability, so a token seen once or twice cannot decide alone.
STRENGTH = 1.0
NEUTRAL = 0.5
# The MAX_CLUES tokens furthest from neutral decide; nearer than MIN_DISTANCE is noise.
MIN_DISTANCE = 0.1
MAX_CLUES = 15
MAX_TOKEN = 100  # spam_tokens.token is String(100)

_STRIP = string.punctuation.replace("$", "").replace("%", "").replace("€", "") + "“”‘’«»…"
_PIECES = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d")
_RUN = re.compile(r"\S+")
_WORD_RUN = re.compile(r"\w+")
_PHONE = re.compile(r"\+\d[\d ()-]{7,}\d")


def _email_end(run: str) -> int:
    """Return where an address-like start of a run without spaces ends ("a@b.c" in "a@b.c!"), or 0."""
    # What the pattern \S+@\S+\.\w+ matches from the run's start, found without it: the pattern
    # backtracks over every "@" and "." of the run, cubic in the length of a run of them. Its greedy
    # parts settle on the last "." followed by a word character, at least two past the first "@"
    # that is not the run's first character; the word characters after that dot end the match.
    at = run.find("@", 1)
    if at < 0:
        return 0
    dot = run.rfind(".", at + 2, len(run) - 1)
    while dot >= 0:
        if word := _WORD_RUN.match(run, dot + 1):
            return word.end()
        dot = run.rfind(".", at + 2, dot)
    return 0


def _split_emails(text: str) -> tuple[list[str], str]:
    """Return the e-mail addresses in text, and the text with each of them replaced by a space."""
    emails, pieces, done = [], [], 0
    for run in _RUN.finditer(text):
        # A run holds one address at most, from its start: nothing after it has an "@" and a ".".
        if end := _email_end(run.group()):
            emails.append(run.group()[:end])
            pieces += [text[done : run.start()], " "]
            done = run.start() + end
    pieces.append(text[done:])
    return emails, "".join(pieces)


def _word_tokens(text: str) -> Iterable[str]:
    for raw in URL_IN_TEXT.sub(" ", _split_emails(text)[1]).lower().split():
        word = raw.strip(_STRIP)
        if any(c.isdigit() for c in word):
            # "$5000", "90%", "100mg": the shape of a number ("$NNNN") says more than its value.
            yield "num:" + _DIGITS.sub("N", word)[:20]
        elif 3 <= len(word) <= 20:
            yield word
        elif len(word) > 20:
            # Long strings (hashes, glued keywords) count by their length, not their letters.
            yield f"skip:{word[0]} {len(word) // 10 * 10}"


def _text_tokens(text: str) -> Iterable[str]:
    """Yield tokens about the body as a whole: addresses in it and its share of gibberish."""
    for email in _split_emails(text)[0]:
        yield f"body-email:{email.rpartition('@')[2].lower().rstrip('.')}"
    if _PHONE.search(text):
        yield "body-phone"
    total, odd = odd_words(text)
    share = odd / total if total else 0.0
    yield f"odd-words:{next(limit for limit in (0.0, 0.1, 0.25, 0.5, 1.0) if share <= limit)}"


def _first_labels(labels: list[str], start: int) -> list[str]:
    """Return the labels from start on that reach MAX_TOKEN characters: the token keeps no more."""
    # Joining every suffix whole is quadratic in a host of thousands of labels ("www.www.…").
    taken, size = [], 0
    for index in range(start, len(labels)):
        taken.append(labels[index])
        size += len(labels[index]) + 1
        if size > MAX_TOKEN:
            break
    return taken


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
        yield f"{prefix}:{'.'.join(_first_labels(labels, i))}"
    # Spam domains are strings of keywords: "cheap-pills-online", "rx-discount-meds".
    for label in labels[:-1]:
        for piece in _PIECES.findall(label):
            if len(piece) >= 3 and piece != "www":
                yield f"{prefix}-word:{piece}"
    yield f"{prefix}-hyphens:{min(sum(label.count('-') for label in labels), 3)}"
    for piece in _PIECES.findall(f"{parts.path} {parts.query}".lower()):
        if len(piece) >= 3:
            yield f"{prefix}-path:{piece[:30]}"


def tokens(author: str, website: str, body: str, links: Iterable[str]) -> set[str]:
    """Return the distinct tokens of a comment's body, name, website and links."""
    links = list(links)
    found = set(_word_tokens(body))
    found.update(_text_tokens(body))
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


def spam_probability(
    counts: Mapping[str, tuple[int, int]], spam_docs: int, ham_docs: int
) -> tuple[float, list[tuple[str, float]]]:
    """Return a 0..1 spam score and the tokens that decided it, strongest first."""
    clues = []
    for token, (spam, ham) in counts.items():
        probability = token_probability(spam, ham, spam_docs, ham_docs)
        if abs(probability - NEUTRAL) >= MIN_DISTANCE:
            clues.append((token, probability))
    clues.sort(key=lambda clue: (abs(clue[1] - NEUTRAL), clue[0]), reverse=True)
    clues = clues[:MAX_CLUES]
    if not clues:
        return NEUTRAL, []
    # The naive Bayes combination, in logs so that many clues cannot underflow.
    log_odds = sum(math.log(p) - math.log(1.0 - p) for _, p in clues)
    return 1.0 / (1.0 + math.exp(-max(min(log_odds, 700.0), -700.0))), clues
