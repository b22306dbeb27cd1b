"""Accounts: creation, roles, passwords (a standard KDF) and removal, for the CLI and the admin page."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..language.catalogs import languages
from ..language.speaking import N_, ngettext
from ..language.speaking import gettext as _
from ..store.audit_log import record
from ..store.login_sessions import delete_logins
from ..store.models import Role, User
from ..store.users import admins_besides, find_user, set_language
from ..text.text_policy import field_problems

MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
# A whole sentence per field, for the translators; the problem is the text policy's own words.
_NAME_PROBLEMS = {
    "display name": N_("The display name %(problem)s."),
    "email address": N_("The email address %(problem)s."),
}

# A hash of nothing, checked when the account does not exist, so a wrong username
# costs as much time as a wrong password. Written out rather than made at import:
# scrypt takes 32 MiB, which every web worker would then hold at its peak for nothing.
# Its parameters are generate_password_hash's (tests/test_moderation_login.py checks).
DUMMY_HASH = (
    "scrypt:32768:8:1$fFSNzTa7yE4y4793$9f4e811b99275f3c9656e884b0a4e98f0d9f89421c4053492eabc78997aac7a8"
    "9990fabc13de3eec13bc93b1fdf033decbb9f26fabfa933d3b96b9151710236a"
)


class AccountError(ValueError):
    """An account change that cannot be made, with a message for the person asking."""


def check_password(password: str) -> None:
    """Refuse a password too short to be worth having."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            ngettext(
                "The password must have at least %(num)s character.",
                "The password must have at least %(num)s characters.",
                MIN_PASSWORD_LENGTH,
            )
        )


def check_language(language: str) -> None:
    """Refuse a language Kiln does not speak; "" (the browser's language) is always allowed."""
    if language and language not in languages():
        raise AccountError(_("Kiln does not speak the language %(language)s.", language=repr(language)))


def choose_language(session: Session, actor: User | None, user: User, language: str) -> None:
    """Set the language an account reads Kiln in ("" for its browser's), with an audit entry; the caller commits."""
    check_language(language)
    detail = {"account": user.username, "old_language": user.language, "language": language}
    record(session, actor, "account-language", None, **detail)
    set_language(session, user.id, language)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    email: str = "",
    language: str = "",
) -> User:
    """Create an account; the caller commits."""
    if not _USERNAME.fullmatch(username):
        raise AccountError(_("A username is 1 to 80 letters, digits, dots, dashes or underscores."))
    names = {"display name": display_name, "email address": email}
    if problems := field_problems(names, one_line=names):
        label, problem = next(iter(problems.items()))
        raise AccountError(_(_NAME_PROBLEMS[label], problem=_(problem)))
    check_password(password)
    check_language(language)
    if find_user(session, username) is not None:
        raise AccountError(_("An account named %(username)s already exists.", username=repr(username)))
    user = User(
        username=username,
        display_name=(display_name.strip() or username)[:200],
        email=email,
        password_hash=generate_password_hash(password),
        role=role,
        language=language,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Replace an account's password and end its logins, so an old session cannot outlive it."""
    check_password(password)
    user.password_hash = generate_password_hash(password)
    delete_logins(session, user)


def set_role(session: Session, user: User, role: Role) -> None:
    """Change what an account may do, keeping at least one admin."""
    if user.role == Role.ADMIN and role != Role.ADMIN and not admins_besides(session, user):
        raise AccountError(_("This is the last admin account; make another admin first."))
    user.role = role


def remove_user(session: Session, user: User) -> None:
    """Delete an account (its logins go with it), keeping at least one admin."""
    if user.role == Role.ADMIN and not admins_besides(session, user):
        raise AccountError(_("This is the last admin account; make another admin first."))
    delete_logins(session, user)
    session.delete(user)
    session.flush()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the account if the password is right, in constant-ish time either way."""
    user = find_user(session, username)
    if user is None:
        check_password_hash(DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None
