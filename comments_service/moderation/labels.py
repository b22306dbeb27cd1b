"""The words moderators read for Kiln's identifiers: states, kinds, roles, actions, audit entries and languages."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from babel import Locale
from flask import Flask

from ..language.catalogs import languages
from ..language.speaking import gettext as _
from ..language.speaking import ngettext, pgettext
from ..store.audit_log import COMMAND_LINE, READER, SYSTEM
from ..store.models import Kind, Role, State

# Calls of pgettext rather than N_ markers: the extractor records a message's context only from a pgettext
# call, and these words need one ("spam" the state and "Mark as spam" the action; "comment" the kind).
Label = Callable[[], str]

_STATES: dict[State, Label] = {
    State.PENDING: lambda: pgettext("state", "pending"),
    State.APPROVED: lambda: pgettext("state", "approved"),
    State.SPAM: lambda: pgettext("state", "spam"),
    State.DELETED: lambda: pgettext("state", "trash"),
}
# A verdict's reason is headed by a whole phrase per state, as languages agree the word with "why" differently.
_WHY: dict[State, Label] = {
    State.PENDING: lambda: _("Why pending:"),
    State.APPROVED: lambda: _("Why approved:"),
    State.SPAM: lambda: _("Why spam:"),
    State.DELETED: lambda: _("Why deleted:"),
}
_KINDS: dict[Kind, Label] = {
    Kind.COMMENT: lambda: pgettext("kind", "comment"),
    Kind.TRACKBACK: lambda: pgettext("kind", "trackback"),
    Kind.PINGBACK: lambda: pgettext("kind", "pingback"),
    Kind.WEBMENTION: lambda: pgettext("kind", "webmention"),
}
_ROLES: dict[Role, Label] = {
    Role.ADMIN: lambda: pgettext("role", "admin"),
    Role.MODERATOR: lambda: pgettext("role", "moderator"),
    Role.AUTHOR: lambda: pgettext("role", "author"),
}
# What a moderator's button says: the actions of actions.ACTIONS and the bulk form.
_ACTIONS: dict[str, Label] = {
    "approve": lambda: pgettext("action", "Approve"),
    "unapprove": lambda: pgettext("action", "Unapprove"),
    "reject": lambda: pgettext("action", "Reject"),
    "spam": lambda: pgettext("action", "Mark as spam"),
    "not-spam": lambda: pgettext("action", "Not spam"),
    "trash": lambda: pgettext("action", "Trash"),
    "restore": lambda: pgettext("action", "Restore"),
    "delete": lambda: pgettext("action", "Delete"),
    "pending": lambda: pgettext("action", "Back to pending"),
    "undo": lambda: pgettext("action", "Undo"),
}
# What a moderator is told after an action on one comment, and on many at once (ngettext calls, for the plurals).
# Each names whose comment on which post: "Approved Anna's comment on Luisteren." (the name and title filled in).
_ONE_DONE: dict[str, Callable[[str, str], str]] = {
    "approve": lambda who, post: _("Approved %(author)s's comment on %(title)s.", author=who, title=post),
    "unapprove": lambda who, post: _("Unapproved %(author)s's comment on %(title)s.", author=who, title=post),
    "reject": lambda who, post: _("Moved %(author)s's comment on %(title)s to the trash.", author=who, title=post),
    "spam": lambda who, post: _("Marked %(author)s's comment on %(title)s as spam.", author=who, title=post),
    "not-spam": lambda who, post: _(
        "%(author)s's comment on %(title)s is not spam: back to pending.", author=who, title=post
    ),
    "trash": lambda who, post: _("Moved %(author)s's comment on %(title)s to the trash.", author=who, title=post),
    "restore": lambda who, post: _(
        "Restored %(author)s's comment on %(title)s: back to pending.", author=who, title=post
    ),
    "delete": lambda who, post: _("Moved %(author)s's comment on %(title)s to the trash.", author=who, title=post),
    "undo": lambda who, post: _("Undone: %(author)s's comment on %(title)s is back as it was.", author=who, title=post),
}
_MANY_DONE: dict[str, Callable[[int], str]] = {
    "approve": lambda n: ngettext("%(num)s comment approved.", "%(num)s comments approved.", n),
    "reject": lambda n: ngettext("%(num)s comment rejected.", "%(num)s comments rejected.", n),
    "spam": lambda n: ngettext("%(num)s comment marked as spam.", "%(num)s comments marked as spam.", n),
    "delete": lambda n: ngettext("%(num)s comment deleted.", "%(num)s comments deleted.", n),
    "unapprove": lambda n: ngettext("%(num)s comment unapproved.", "%(num)s comments unapproved.", n),
    "not-spam": lambda n: ngettext("%(num)s comment marked as not spam.", "%(num)s comments marked as not spam.", n),
    "trash": lambda n: ngettext("%(num)s comment moved to the trash.", "%(num)s comments moved to the trash.", n),
    "restore": lambda n: ngettext("%(num)s comment restored.", "%(num)s comments restored.", n),
}
# What the audit log says was done, for each action it records.
_DONE: dict[str, Label] = {
    "approve": lambda: pgettext("audit", "Approved"),
    "reject": lambda: pgettext("audit", "Rejected"),
    "spam": lambda: pgettext("audit", "Marked as spam"),
    "delete": lambda: pgettext("audit", "Deleted"),
    "pending": lambda: pgettext("audit", "Back to pending"),
    "close": lambda: pgettext("audit", "Closed the thread"),
    "open": lambda: pgettext("audit", "Reopened the thread"),
    "edit": lambda: pgettext("audit", "Edited"),
    "unapprove": lambda: pgettext("audit", "Unapproved"),
    "not-spam": lambda: pgettext("audit", "Marked as not spam"),
    "trash": lambda: pgettext("audit", "Moved to the trash"),
    "restore": lambda: pgettext("audit", "Restored"),
    "undo": lambda: pgettext("audit", "Undid an action"),
    "purge": lambda: pgettext("audit", "Deleted permanently"),
    "edit-own": lambda: pgettext("audit", "Edited by its writer"),
    "delete-own": lambda: pgettext("audit", "Deleted by its writer"),
    "reply": lambda: pgettext("audit", "Replied"),
    "account-create": lambda: pgettext("audit", "Created an account"),
    "account-role": lambda: pgettext("audit", "Changed a role"),
    "account-password": lambda: pgettext("audit", "Set a password"),
    "account-remove": lambda: pgettext("audit", "Removed an account"),
    "account-language": lambda: pgettext("audit", "Changed a language"),
}
# The names the audit log gives changes made without a logged-in account.
_ACTORS: dict[str, Label] = {
    SYSTEM: lambda: pgettext("audit", "(system)"),
    COMMAND_LINE: lambda: pgettext("audit", "(command line)"),
    READER: lambda: pgettext("audit", "(the comment's writer)"),
}
# The keys of an audit entry's detail, and of the fields a refused change names.
_FIELDS: dict[str, Label] = {
    "account": lambda: pgettext("field", "Account"),
    "action": lambda: pgettext("field", "Action"),
    "body": lambda: pgettext("field", "Text"),
    "body_format": lambda: pgettext("field", "Format"),
    "bulk": lambda: pgettext("field", "In bulk"),
    "display_name": lambda: pgettext("field", "Display name"),
    "ids": lambda: pgettext("field", "Ticked comments"),
    "in_reply_to": lambda: pgettext("field", "In reply to"),
    "language": lambda: pgettext("field", "Language"),
    "new_source": lambda: pgettext("field", "After"),
    "old_author": lambda: pgettext("field", "Name before"),
    "old_email": lambda: pgettext("field", "Email before"),
    "old_html": lambda: pgettext("field", "HTML before"),
    "old_language": lambda: pgettext("field", "Language before"),
    "old_role": lambda: pgettext("field", "Role before"),
    "old_source": lambda: pgettext("field", "Before"),
    "old_state": lambda: pgettext("field", "State before"),
    "old_website": lambda: pgettext("field", "Website before"),
    "password": lambda: pgettext("field", "Password"),
    "reason": lambda: pgettext("field", "Reason"),
    "role": lambda: pgettext("field", "Role"),
    "username": lambda: pgettext("field", "Username"),
}


def state_label(state: State) -> str:
    """Return a state's name in the current language ('pending')."""
    return _STATES[State(state)]()


def why_label(state: State) -> str:
    """Return the heading of the reason a comment is in its state ('Why pending:')."""
    return _WHY[State(state)]()


def kind_label(kind: Kind) -> str:
    """Return a kind of entry's name in the current language ('trackback')."""
    return _KINDS[Kind(kind)]()


def role_label(role: Role) -> str:
    """Return a role's name in the current language ('moderator')."""
    return _ROLES[Role(role)]()


def action_label(action: str) -> str:
    """Return what the button of a moderation action says ('Mark as spam')."""
    return _ACTIONS[action]()


def action_done(action: str, author: str, title: str) -> str:
    """Return the confirmation of a moderation action on one comment ("Approved Anna's comment on Luisteren.")."""
    return _ONE_DONE[action](author, title)


def bulk_done(action: str, count: int) -> str:
    """Return the confirmation of a moderation action on count comments ('3 comments approved.')."""
    return _MANY_DONE[action](count)


def audit_label(action: str) -> str:
    """Return what an audit entry says was done; an action this version does not know shows as recorded."""
    label = _DONE.get(action)
    return label() if label else action


def actor_label(username: str) -> str:
    """Return who an audit entry names: the account, or the words for the command line or the service itself."""
    label = _ACTORS.get(username)
    return label() if label else username


def field_label(name: str) -> str:
    """Return a form field's or an audit detail's name in the current language; an unknown one as it is."""
    label = _FIELDS.get(name)
    return label() if label else name


def detail_value(key: str, value: object) -> str:
    """Return an audit detail's value in words: states, roles and languages named, a flag as yes or no."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = str(value)
    if key == "old_state" and text in _STATES:
        return state_label(State(text))
    if key in ("role", "old_role") and text in _ROLES:
        return role_label(Role(text))
    if key in ("language", "old_language"):
        return language_name(text) if text in languages() else text or _("Browser's language")
    return text


@cache
def language_name(code: str) -> str:
    """Return a language's name in itself: 'Nederlands', 'Deutsch', 'français', 'English'."""
    return Locale.parse(code).get_display_name(code) or code


def language_choices() -> list[tuple[str, str]]:
    """Return the languages a moderator may choose, as (code, name in itself), after the browser's own."""
    return [("", _("Browser's language")), *((code, language_name(code)) for code in languages())]


def install(app: Flask) -> None:
    """Give the moderation templates these labels as filters and the language choices as a global."""
    filters = (state_label, why_label, kind_label, role_label, action_label, audit_label, actor_label, field_label)
    for label in (*filters, detail_value):
        app.jinja_env.filters[label.__name__] = label
    app.jinja_env.globals["language_choices"] = language_choices
