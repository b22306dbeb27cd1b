"""The demo site's data: the Zeker thread as it stood on the original blog, and a demo login."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from .baking.unit_of_work import UnitOfWork
from .moderation.accounts import create_user, set_password
from .store.demo_seed import thread_has_comments
from .store.models import Comment, Kind, Role, State, Thread
from .store.threads import get_thread
from .store.users import find_user
from .text.sanitize import text_to_html

DEMO_FILE = Path(__file__).parent / "demo" / "zeker.json"
DEMO_ZONE = ZoneInfo("Europe/Amsterdam")


def _moment(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=DEMO_ZONE)


def load_demo(work: UnitOfWork, path: Path = DEMO_FILE) -> int:
    """Load the demo thread once, baking its page; return how many entries were added (0 when already there)."""
    session = work.session
    data = json.loads(path.read_text(encoding="utf-8"))
    meta = data["thread"]
    thread = get_thread(session, meta["slug"])
    if thread is None:
        thread = Thread(slug=meta["slug"], title=meta["title"], author=meta["author"])
        session.add(thread)
    elif thread_has_comments(session, thread.id):
        return 0
    thread.closed = bool(meta["closed"])
    by_key: dict[str, Comment] = {}
    for entry in data["comments"]:
        parent = by_key.get(entry["parent"]) if entry["parent"] else None
        comment = Comment(
            thread=thread,
            parent_id=parent.id if parent else None,
            author=entry["author"],
            body_source=entry["body"],
            body_format="text",
            body_html=text_to_html(entry["body"]),
            by_post_author=entry["by_post_author"],
            state=State.APPROVED,
            created=_moment(entry["created"]),
        )
        session.add(comment)
        session.flush()
        by_key[entry["key"]] = comment
    for entry in data["trackbacks"]:
        session.add(
            Comment(
                thread=thread,
                kind=Kind.TRACKBACK,
                state=State.APPROVED,
                source_url=entry["url"],
                title=entry["title"],
                blog_name=entry["blog_name"],
                author=entry["blog_name"],
                body_source=entry["excerpt"],
                body_format="text",
                body_html=text_to_html(entry["excerpt"]),
                created=_moment(entry["created"]),
            )
        )
    work.bake(thread.slug)
    return len(data["comments"]) + len(data["trackbacks"])


def ensure_demo_moderator(session: Session, instance: Path, username: str = "demo") -> tuple[str, str]:
    """Create the demo moderator once, with a random password kept in the instance folder."""
    password_file = instance / "demo-moderator-password"
    if not password_file.exists():
        password_file.write_text(secrets.token_urlsafe(12))
        password_file.chmod(0o600)
    password = password_file.read_text().strip()
    user = find_user(session, username)
    if user is None:
        create_user(session, username, password, Role.MODERATOR, display_name="Demo moderator")
    else:
        set_password(session, user, password)
    return username, password
