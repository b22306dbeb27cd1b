"""Check a reader's submitted fields and turn them into the new comment's record or field messages."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Config

from ..language.speaking import N_, ngettext
from ..language.speaking import gettext as _
from ..store.comments import NewCommentRecord
from ..text.mail_address import mailbox
from ..text.text_policy import field_problems, newlines
from ..web.ids import parse_id

FIELDS = ("author", "email", "website", "body", "parent", "notify")
ONE_LINE = frozenset(FIELDS) - {"body"}
# What the form calls each field, where a page names one (the JSON API names it by its key).
LABELS = {
    "author": N_("Name"),
    "email": N_("Email"),
    "website": N_("Website"),
    "body": N_("Comment"),
    "parent": N_("Reply to"),
    "notify": N_("Email me when someone replies"),
}
# Translators: field messages follow the field's name, as in "Name is required".
_MUST_BE_STRING = N_("must be a string")
_MUST_BE_ID = N_("must be a comment id")
# What a JSON client is told when a field's value has the wrong type (null counts as left out).
TYPE_ERRORS = {
    "author": _MUST_BE_STRING,
    "email": _MUST_BE_STRING,
    "website": _MUST_BE_STRING,
    "body": _MUST_BE_STRING,
    "parent": _MUST_BE_ID,
    "notify": N_("must be true or false"),
}


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _too_long(value: str, limit: int) -> str | None:
    if len(value) <= limit:
        return None
    return ngettext("must be at most %(num)s character", "must be at most %(num)s characters", limit)


def _email_problem(email: str) -> str | None:
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email):
        return _("is not a valid email address")
    return None


def website_problem(website: str) -> str | None:
    """Say what is wrong with a commenter's website address, in the current language, if anything."""
    try:
        parts = urlsplit(website)
    except ValueError:
        return _("is not a valid URL")
    if parts.scheme not in {"http", "https"}:
        return _("must start with http:// or https://")
    if not parts.hostname or any(c.isspace() for c in website):
        return _("is not a valid URL")
    return None


def json_fields(data: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """Turn a JSON comment into the form's fields, and say which fields have the wrong type."""
    fields: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, str):
            fields[name] = value
        elif name == "notify" and isinstance(value, bool):
            fields[name] = "1" if value else ""
        elif name == "parent" and isinstance(value, int) and not isinstance(value, bool):
            fields[name] = str(value)
        elif name in TYPE_ERRORS:
            errors[name] = _(TYPE_ERRORS[name])
    return fields, errors


def validate(form: Mapping[str, str], config: Config, thread_id: int) -> tuple[NewCommentRecord | None, dict[str, str]]:
    """Return the clean comment on the thread, or None and a message per bad field.

    Its parent_id is the comment the reader answers, which placing the reply may change.
    """
    author, email = _text(form, "author"), _text(form, "email")
    website, body = _text(form, "website"), newlines(form.get("body") or "")
    errors: dict[str, str] = {}
    if not author:
        errors["author"] = _("is required")
    elif problem := _too_long(author, config["AUTHOR_MAX"]):
        errors["author"] = problem
    notify = _text(form, "notify") in {"1", "on", "yes", "true"}
    if email and (problem := _too_long(email, config["EMAIL_MAX"]) or _email_problem(email)):
        errors["email"] = problem
    elif notify and not email:
        errors["email"] = _("is needed to notify you of replies")
    elif notify and mailbox(email) is None:
        errors["email"] = _("cannot receive reply notifications (use a plain ASCII address)")
    if website and (problem := _too_long(website, config["WEBSITE_MAX"]) or website_problem(website)):
        errors["website"] = problem
    if not body.strip():
        errors["body"] = _("is required")
    elif problem := _too_long(body, config["BODY_MAX"]):
        errors["body"] = problem
    parent_id: int | None = None
    raw_parent = _text(form, "parent")
    if raw_parent:
        if (parsed := parse_id(raw_parent)) is not None:
            parent_id = parsed
        else:
            errors["parent"] = _(_MUST_BE_ID)
    # A field's own check speaks first (an address with a line break is no address); the text policy covers the rest.
    policy = field_problems({name: form.get(name) or "" for name in FIELDS}, ONE_LINE)
    errors = {name: _(problem) for name, problem in policy.items()} | errors
    if errors:
        return None, errors
    record = NewCommentRecord(
        thread_id=thread_id,
        parent_id=parent_id,
        author=author,
        email=email,
        website=website,
        body_source=body.strip(),
        notify_replies=notify,
    )
    return record, {}
