"""Word and address lists: moderation words hold a comment, disallowed words, addresses and emails mark it spam."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from ..language.speaking import N_
from .reasons import Reason
from .verdict import Action, Candidate, Verdict, setting_list

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    # Whole words only, so "cialis" does not catch "specialist".
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=16)
def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Parse addresses and CIDR networks; a bad entry raises ValueError naming it."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ValueError(f"DISALLOWED_ADDRESSES: {entry!r} is not an IP address or network") from error
    return tuple(networks)


def _word_found(candidate: Candidate, setting: object) -> str | None:
    pattern = _pattern(tuple(setting_list(setting)))
    if pattern is None:
        return None
    comment = candidate.comment
    for text in (comment.body_source, comment.author, comment.email, comment.website):
        if match := pattern.search(text):
            return match.group(0)
    return None


def _address_listed(ip: str, setting: object) -> Network | None:
    networks = parse_networks(tuple(setting_list(setting)))
    if not networks or not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    return next((net for net in networks if address.version == net.version and address in net), None)


def _email_listed(email: str, setting: object) -> str | None:
    email = email.casefold()
    if not email:
        return None
    domain = email.rpartition("@")[2]
    for entry in setting_list(setting):
        entry = entry.casefold()
        if email == entry or (entry.startswith("@") and domain == entry[1:]):
            return entry
    return None


def moderation_check(candidate: Candidate, connection: Connection, config: Mapping[str, Any]) -> Verdict | None:
    """Hold a comment containing a word from MODERATION_WORDS."""
    if word := _word_found(candidate, config["MODERATION_WORDS"]):
        return Verdict(Action.PENDING, Reason(N_("contains the moderation word %(word)s"), {"word": repr(word)}))
    return None


def disallowed_check(candidate: Candidate, connection: Connection, config: Mapping[str, Any]) -> Verdict | None:
    """Mark as spam a comment with a disallowed word, or from a disallowed address or email."""
    if word := _word_found(candidate, config["DISALLOWED_WORDS"]):
        return Verdict(Action.SPAM, Reason(N_("contains the disallowed word %(word)s"), {"word": repr(word)}))
    if network := _address_listed(candidate.comment.ip, config["DISALLOWED_ADDRESSES"]):
        reason = Reason(N_("sent from the disallowed address range %(network)s"), {"network": str(network)})
        return Verdict(Action.SPAM, reason)
    if entry := _email_listed(candidate.comment.email, config["DISALLOWED_EMAILS"]):
        return Verdict(Action.SPAM, Reason(N_("email matches the disallowed entry %(entry)s"), {"entry": repr(entry)}))
    return None
