"""Plan a Disqus import: match each thread to a post, keep deleted comments that have replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from ..store.models import Kind, State
from .known_posts import KnownPosts
from .plan import CommentPlan, ImportPlan, PortingError, ThreadPlan
from .summary import Summary
from .xml_input import attribute, child_text, children, split_tag

DISQUS = "http://disqus.com"
INTERNALS = "http://disqus.com/disqus-internals"
NAMESPACES = (DISQUS, "https://disqus.com")


@dataclass
class DisqusThread:
    """A Disqus thread: the page it was on and who started it."""

    key: str
    identifier: str
    link: str
    title: str
    author_username: str
    closed: bool


@dataclass
class DisqusPost:
    """One Disqus comment, as exported."""

    key: str
    thread_key: str
    parent_key: str
    message: str
    created: datetime | None
    deleted: bool
    spam: bool
    author: str
    email: str
    username: str
    anonymous: bool
    ip: str


def _flag(element: Element, name: str) -> bool:
    return child_text(element, name, NAMESPACES).strip().lower() == "true"


def _date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip()).astimezone(UTC)
    except ValueError:
        return None


def read_disqus(root: Element) -> tuple[dict[str, DisqusThread], list[DisqusPost]]:
    """Read a Disqus export's threads (by Disqus id) and posts (in file order)."""
    namespace, local = split_tag(root)
    if local != "disqus" or namespace not in NAMESPACES:
        raise PortingError('not a Disqus export: the root element must be <disqus xmlns="http://disqus.com">')
    threads = {}
    for element in children(root, "thread", NAMESPACES):
        author = next(children(element, "author", NAMESPACES), None)
        key = attribute(element, "id", INTERNALS)
        threads[key] = DisqusThread(
            key=key,
            identifier=child_text(element, "id", NAMESPACES).strip(),
            link=child_text(element, "link", NAMESPACES).strip(),
            title=" ".join(child_text(element, "title", NAMESPACES).split()),
            author_username=_username(author),
            closed=_flag(element, "isClosed"),
        )
    return threads, [_post(element) for element in children(root, "post", NAMESPACES)]


def _username(author: Element | None) -> str:
    if author is None or _flag(author, "isAnonymous"):
        return ""
    return child_text(author, "username", NAMESPACES).strip()


def _post(element: Element) -> DisqusPost:
    author = next(children(element, "author", NAMESPACES), None)
    thread = next(children(element, "thread", NAMESPACES), None)
    parent = next(children(element, "parent", NAMESPACES), None)
    return DisqusPost(
        key=attribute(element, "id", INTERNALS),
        thread_key=attribute(thread, "id", INTERNALS) if thread is not None else "",
        parent_key=attribute(parent, "id", INTERNALS) if parent is not None else "",
        message=(child_text(element, "message", NAMESPACES)).strip(),
        created=_date(child_text(element, "createdAt", NAMESPACES)),
        deleted=_flag(element, "isDeleted"),
        spam=_flag(element, "isSpam"),
        author=child_text(author, "name", NAMESPACES).strip() if author is not None else "",
        email=child_text(author, "email", NAMESPACES).strip() if author is not None else "",
        username=_username(author),
        anonymous=author is None or _flag(author, "isAnonymous"),
        ip=child_text(element, "ipAddress", NAMESPACES).strip(),
    )


def plan_disqus(
    threads: dict[str, DisqusThread], posts: list[DisqusPost], known: KnownPosts, source: str, summary: Summary
) -> ImportPlan:
    """Decide which comments go where; spam stays out, orphans and unreplied deletions are reported."""
    plan = ImportPlan(source=source)
    slugs: dict[str, str] = {}
    for key, thread in threads.items():
        slug = known.match(thread.identifier, thread.link)
        if slug:
            slugs[key] = slug
            plan.threads[slug] = ThreadPlan(slug=slug, title=thread.title, closed=thread.closed)
    by_key = {p.key: p for p in posts}
    kept = _kept(posts, by_key, summary)
    for post in posts:
        if post.key not in kept:
            continue
        where = f"#{post.key} by {post.author!r}"
        home = threads.get(post.thread_key)
        if home is None or post.thread_key not in slugs:
            why = "thread not in the file" if home is None else f"no post matches {home.link or home.identifier!r}"
            summary.skip("orphans (their thread matches no post)", f"{where} ({why})")
            continue
        if post.created is None:
            summary.skip("comments without a date", where)
            continue
        parent = _kept_parent(post, by_key, kept)
        plan.comments.append(_comment(post, post.created, parent, slugs[post.thread_key], home))
    return plan


def _kept(posts: list[DisqusPost], by_key: dict[str, DisqusPost], summary: Summary) -> set[str]:
    """Keep every live, non-spam comment, and a deleted one only when a kept comment replies to it."""
    kept = {p.key for p in posts if not p.spam and not p.deleted}
    for post in posts:
        if post.spam:
            summary.skip("spam", f"#{post.key} by {post.author!r}")
    for post in [p for p in posts if p.key in kept]:
        parent = by_key.get(post.parent_key)
        seen = set()
        while parent is not None and parent.key not in seen:
            seen.add(parent.key)
            if parent.deleted and not parent.spam:
                kept.add(parent.key)
            parent = by_key.get(parent.parent_key)
    for post in posts:
        if post.deleted and not post.spam and post.key not in kept:
            summary.skip("deleted comments without replies", f"#{post.key}")
    return kept


def _kept_parent(post: DisqusPost, by_key: dict[str, DisqusPost], kept: set[str]) -> str | None:
    """Return the nearest kept ancestor: a reply to spam moves up to what the spam replied to."""
    parent = by_key.get(post.parent_key)
    seen = set()
    while parent is not None and parent.key not in kept and parent.key not in seen:
        seen.add(parent.key)
        parent = by_key.get(parent.parent_key)
    return f"disqus:{parent.key}" if parent is not None and parent.key in kept else None


def _comment(
    post: DisqusPost, created: datetime, parent_origin: str | None, slug: str, thread: DisqusThread
) -> CommentPlan:
    return CommentPlan(
        origin=f"disqus:{post.key}",
        slug=slug,
        parent_origin=parent_origin,
        kind=Kind.COMMENT,
        state=State.DELETED if post.deleted else State.APPROVED,
        created=created,
        author=post.author,
        email=post.email,
        ip=post.ip,
        body_source=post.message,
        body_format="html",
        by_post_author=bool(post.username) and post.username == thread.author_username,
    )
