"""Signed tokens for the links in Kiln's email: moderation links expire, unsubscribe links do not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadPayload, URLSafeSerializer, URLSafeTimedSerializer

from ..text.mail_address import mailbox
from ..web.ids import is_id

# Distinct salts, so a token signed for one purpose is never accepted for another.
_MODERATE_SALT = "kiln.notify.moderate"
_UNSUBSCRIBE_SALT = "kiln.notify.unsubscribe"

# What a link in a moderator's email may do; rejecting stays in the queue, where there is room to think.
MAIL_ACTIONS = ("approve", "spam", "delete")


@dataclass(frozen=True)
class ModerationGrant:
    """Permission to apply one action to one comment, issued to a moderator account (or to a listed address)."""

    comment_id: int
    action: str
    user_id: int | None


@dataclass(frozen=True)
class Subscription:
    """An address that asked for reply notifications on one thread."""

    email: str
    thread_id: int


def moderation_token(secret: str, grant: ModerationGrant) -> str:
    """Sign a moderation grant for a link."""
    payload = {"c": grant.comment_id, "a": grant.action, "u": grant.user_id}
    return URLSafeTimedSerializer(secret, salt=_MODERATE_SALT).dumps(payload)


def read_moderation_token(secret: str, token: str, max_age: int) -> ModerationGrant:
    """Return the grant in a token; raises SignatureExpired or BadSignature (BadData) otherwise."""
    payload = URLSafeTimedSerializer(secret, salt=_MODERATE_SALT).loads(token, max_age=max_age)
    comment_id, action, user_id = _id_field(payload, "c"), _field(payload, "a", str), payload.get("u")
    if action not in MAIL_ACTIONS or not (user_id is None or is_id(user_id)):
        raise BadPayload("the link's content is not a moderation grant")
    return ModerationGrant(comment_id, action, user_id)


def unsubscribe_token(secret: str, subscription: Subscription) -> str:
    """Sign a subscription for an unsubscribe link, which stays valid for as long as the email is kept."""
    payload = {"e": subscription.email.lower(), "t": subscription.thread_id}
    return URLSafeSerializer(secret, salt=_UNSUBSCRIBE_SALT).dumps(payload)


def read_unsubscribe_token(secret: str, token: str) -> Subscription:
    """Return the subscription in a token; raises BadSignature (BadData) if it was not signed by us."""
    payload = URLSafeSerializer(secret, salt=_UNSUBSCRIBE_SALT).loads(token)
    email = _field(payload, "e", str)
    if mailbox(email) is None:
        # Only an address a reader could subscribe with is ever signed; anything else names no subscriber.
        raise BadPayload("the link's content is not a subscriber's address")
    return Subscription(email, _id_field(payload, "t"))


def _field(payload: Any, key: str, kind: type) -> Any:
    value = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BadPayload(f"the link's content lacks {key!r}")
    return value


def _id_field(payload: Any, key: str) -> int:
    value = _field(payload, key, int)
    if not is_id(value):
        raise BadPayload(f"the link's content holds no row id in {key!r}")
    return value
