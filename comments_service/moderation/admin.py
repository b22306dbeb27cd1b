"""The admin pages: accounts (create, change role, reset password, remove) and the audit log."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template, request

from ..extensions import db
from ..store.audit_log import entries
from ..store.login_sessions import last_seen
from ..store.models import Role, User
from ..store.users import get_user, list_users
from ..text.text_policy import field_problems
from ..web.ids import parse_id
from .accounts import AccountError, create_user, remove_user, set_password, set_role
from .audit import detail_of, record
from .auth import login_required
from .permissions import admin_required
from .responses import done, refused

bp = Blueprint("moderation_admin", __name__, url_prefix="/moderate/admin")
AUDIT_PAGE = 100


def _role(raw: str) -> Role | None:
    try:
        return Role(raw)
    except ValueError:
        return None


def _account(user_id: int) -> User:
    user = get_user(db(), user_id)
    if user is None:
        abort(404, description="There is no such account.")
    return user


@bp.get("/accounts")
@login_required
@admin_required
def accounts() -> str:
    """List the accounts with forms to create, change and remove them."""
    session = db()
    return render_template("accounts.html", users=list_users(session), seen=last_seen(session), roles=list(Role))


@bp.post("/accounts/new")
@login_required
@admin_required
def create() -> Response:
    """Create an account."""
    form, session = request.form, db()
    role = _role(form.get("role", ""))
    if role is None:
        return refused(400, "The account was not created.", {"role": "is not a role"})
    names = {name: form.get(name, "") for name in ("username", "display_name")}
    if problems := field_problems(names, one_line=names):
        return refused(400, "The account was not created.", problems)
    try:
        user = create_user(
            session, form.get("username", "").strip(), form.get("password", ""), role, form.get("display_name", "")
        )
    except AccountError as error:
        session.rollback()
        return refused(400, str(error))
    record(session, g.user, "account-create", account=user.username, role=role.value)
    session.commit()
    return done(f"Created {role.value} {user.username}.", id=user.id, username=user.username)


@bp.post("/accounts/<id:user_id>/role")
@login_required
@admin_required
def change_role(user_id: int) -> Response:
    """Change what an account may do."""
    session, user = db(), _account(user_id)
    role = _role(request.form.get("role", ""))
    if role is None:
        return refused(400, "The role was not changed.", {"role": "is not a role"})
    old = user.role
    try:
        set_role(session, user, role)
    except AccountError as error:
        return refused(409, str(error))
    record(session, g.user, "account-role", account=user.username, old_role=old.value, role=role.value)
    session.commit()
    return done(f"{user.username} is now {role.value}.", id=user.id, role=role.value)


@bp.post("/accounts/<id:user_id>/password")
@login_required
@admin_required
def reset_password(user_id: int) -> Response:
    """Set a new password for an account, logging it out everywhere."""
    session, user = db(), _account(user_id)
    try:
        set_password(session, user, request.form.get("password", ""))
    except AccountError as error:
        return refused(400, str(error))
    record(session, g.user, "account-password", account=user.username)
    session.commit()
    return done(f"New password set for {user.username}.", id=user.id)


@bp.post("/accounts/<id:user_id>/remove")
@login_required
@admin_required
def remove(user_id: int) -> Response:
    """Remove an account; its audit entries keep its name."""
    session, user = db(), _account(user_id)
    if user.id == g.user.id:
        return refused(409, "You cannot remove your own account.")
    name = user.username
    try:
        remove_user(session, user)
    except AccountError as error:
        return refused(409, str(error))
    record(session, g.user, "account-remove", account=name)
    session.commit()
    return done(f"Removed {name}.", username=name)


@bp.get("/audit")
@login_required
@admin_required
def audit() -> str:
    """Show the audit log, newest first, a page at a time."""
    raw = request.args.get("before", "")
    before = parse_id(raw) if raw else None
    if raw and before is None:
        abort(400, description="The before cursor must be an entry id.")
    page = entries(db(), before=before, limit=AUDIT_PAGE + 1)
    more = len(page) > AUDIT_PAGE
    page = page[:AUDIT_PAGE]
    return render_template("audit.html", entries=page, detail_of=detail_of, next_before=page[-1].id if more else None)
