"""Who may act on what: admins and moderators on every thread, authors on their own posts' threads."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g

from ..extensions import db
from ..language.speaking import gettext as _
from ..store.comments import get_comment
from ..store.models import Comment, Role, Thread, User
from ..store.threads import get_thread

F = TypeVar("F", bound=Callable[..., Any])


def own_posts_only(user: User) -> str | None:
    """Return the post author name an account is limited to, or None when it sees every thread."""
    return user.display_name if user.role == Role.AUTHOR else None


def may_moderate(user: User, thread: Thread) -> bool:
    """Tell whether an account may moderate a thread."""
    author = own_posts_only(user)
    return author is None or (bool(author) and thread.author == author)


def thread_or_abort(slug: str) -> Thread:
    """Return the thread the logged-in account may moderate: 404 if absent, 403 if not theirs."""
    thread = get_thread(db(), slug)
    if thread is None:
        abort(404, description=_("There is no post with that address."))
    if not may_moderate(g.user, thread):
        abort(403, description=_("You may only moderate the threads of your own posts."))
    return thread


def comment_or_abort(comment_id: int) -> Comment:
    """Return the comment the logged-in account may moderate: 404 if absent, 403 if not theirs."""
    comment = get_comment(db(), comment_id)
    if comment is None:
        abort(404, description=_("There is no such comment."))
    if not may_moderate(g.user, comment.thread):
        abort(403, description=_("You may only moderate the threads of your own posts."))
    return comment


def admin_required(view: F) -> F:
    """Refuse a view to anyone but an admin (after login_required has run)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if g.user.role != Role.ADMIN:
            abort(403, description=_("Only admins may do that."))
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]
