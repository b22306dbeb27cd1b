"""The admin pages: accounts (create, change role or language, reset password, remove) and the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Response, abort, g, render_template, request

from ..extensions import db
from ..language.speaking import gettext as _
from ..store.audit_log import detail_of, entries, record
from ..store.login_sessions import last_seen
from ..store.models import Role, User
from ..store.users import get_user, list_users
from ..text.text_policy import field_problems
from ..web.ids import parse_id
from .accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    choose_language,
    create_user,
    remove_user,
    set_password,
    set_role,
)
from .auth import login_required
from .labels import role_label
from .permissions import admin_required
from .responses import done, refused

bp = Blueprint("moderation_admin", __name__, url_prefix="/moderate/admin")
AUDIT_PAGE = 100


def _role(raw: str) -> Role | None:
    try:
        return Role(raw)
    except ValueError:
        return None


@contextmanager
def _within_the_rules(status: int) -> Iterator[None]:
    """Refuse, with status and the rule's message, an account change the rules forbid."""
    try:
        yield
    except AccountError as error:
        db().rollback()
        abort(refused(status, str(error)))


def _audited(action: str, message: str, detail: dict[str, str], **answer: object) -> Response:
    """Record an account change in the audit log, commit it, and report it."""
    record(db(), g.user, action, None, **detail)
    db().commit()
    return done(message, **answer)


def _account(user_id: int) -> User:
    user = get_user(db(), user_id)
    if user is None:
        abort(404, description=_("There is no such account."))
    return user


@bp.get("/accounts")
@login_required
@admin_required
def accounts() -> str:
    """List the accounts with forms to create, change and remove them."""
    session = db()
    return render_template(
        "accounts.html",
        users=list_users(session),
        seen=last_seen(session),
        roles=list(Role),
        min_password=MIN_PASSWORD_LENGTH,
    )


@bp.post("/accounts/new")
@login_required
@admin_required
def create() -> Response:
    """Create an account."""
    form, session = request.form, db()
    role = _role(form.get("role", ""))
    if role is None:
        return refused(400, _("The account was not created."), {"role": _("is not a role")})
    names = {name: form.get(name, "") for name in ("username", "display_name")}
    if problems := field_problems(names, one_line=names):
        return refused(400, _("The account was not created."), {name: _(text) for name, text in problems.items()})
    with _within_the_rules(400):
        user = create_user(
            session,
            form.get("username", "").strip(),
            form.get("password", ""),
            role,
            form.get("display_name", ""),
            language=form.get("language", ""),
        )
    detail = {"account": user.username, "role": role.value}
    message = _("Created the account %(username)s (%(role)s).", username=user.username, role=role_label(role))
    return _audited("account-create", message, detail, id=user.id, username=user.username)


@bp.post("/accounts/<id:user_id>/role")
@login_required
@admin_required
def change_role(user_id: int) -> Response:
    """Change what an account may do."""
    session, user = db(), _account(user_id)
    role = _role(request.form.get("role", ""))
    if role is None:
        return refused(400, _("The role was not changed."), {"role": _("is not a role")})
    detail = {"account": user.username, "old_role": user.role.value, "role": role.value}
    with _within_the_rules(409):
        set_role(session, user, role)
    message = _("The role of %(username)s is now %(role)s.", username=user.username, role=role_label(role))
    return _audited("account-role", message, detail, id=user.id, role=role.value)


@bp.post("/accounts/<id:user_id>/language")
@login_required
@admin_required
def change_language(user_id: int) -> Response:
    """Set the language an account reads Kiln in ("" for its browser's)."""
    session, user = db(), _account(user_id)
    language = request.form.get("language", "")
    with _within_the_rules(400):
        choose_language(session, g.user, user, language)
    session.commit()
    return done(_("The language of %(username)s is saved.", username=user.username), id=user.id, language=language)


@bp.post("/accounts/<id:user_id>/password")
@login_required
@admin_required
def reset_password(user_id: int) -> Response:
    """Set a new password for an account, logging it out everywhere."""
    session, user = db(), _account(user_id)
    with _within_the_rules(400):
        set_password(session, user, request.form.get("password", ""))
    return _audited(
        "account-password",
        _("New password set for %(username)s.", username=user.username),
        {"account": user.username},
        id=user.id,
    )


@bp.post("/accounts/<id:user_id>/remove")
@login_required
@admin_required
def remove(user_id: int) -> Response:
    """Remove an account; its audit entries keep its name."""
    session, user = db(), _account(user_id)
    if user.id == g.user.id:
        return refused(409, _("You cannot remove your own account."))
    name = user.username
    with _within_the_rules(409):
        remove_user(session, user)
    return _audited("account-remove", _("Removed %(username)s.", username=name), {"account": name}, username=name)


@bp.get("/audit")
@login_required
@admin_required
def audit() -> str:
    """Show the audit log, newest first, a page at a time."""
    raw = request.args.get("before", "")
    before = parse_id(raw) if raw else None
    if raw and before is None:
        abort(400, description=_("The before cursor must be an entry id."))
    page = entries(db(), before=before, limit=AUDIT_PAGE + 1)
    more = len(page) > AUDIT_PAGE
    page = page[:AUDIT_PAGE]
    return render_template("audit.html", entries=page, detail_of=detail_of, next_before=page[-1].id if more else None)
