"""Plan a WordPress import: published posts and pages become files, their comments rows."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from pelican.tools.pelican_import import decode_wp_content

from ..store.models import Kind, State
from .plan import CommentPlan, FilePlan, ImportPlan, ThreadPlan
from .post_files import post_file, post_path, post_slug
from .summary import Summary
from .wxr_items import WxrAuthor, WxrComment, WxrExport, WxrItem

# Not (yet) public on WordPress: imported as Pelican drafts only when asked for.
UNPUBLISHED = ("draft", "pending", "private", "future", "")
STATES = {
    "1": State.APPROVED,
    "0": State.PENDING,
    "spam": State.SPAM,
    "trash": State.DELETED,
    "post-trashed": State.DELETED,
}
KINDS = {"comment": Kind.COMMENT, "pingback": Kind.PINGBACK, "trackback": Kind.TRACKBACK, "webmention": Kind.WEBMENTION}


def plan_wxr(
    export: WxrExport, source: str, content_dir: Path, pages_dir: str, include_drafts: bool, summary: Summary
) -> ImportPlan:
    """Decide what the export adds: a file and a thread per post or page, a row per comment."""
    plan = ImportPlan(source=source)
    for item in export.items:
        label = repr(item.title or item.slug or item.link or item.post_id)
        draft = _skip_reason(item, include_drafts)
        if isinstance(draft, str):
            summary.skip(draft, label)
            for _ in item.comments:
                summary.skip("comments on items that were not imported", label)
            continue
        slug = post_slug(item)
        if not slug:
            summary.skip("items without a slug, title or id", label)
            continue
        if slug in plan.threads:
            summary.skip(f"{item.post_type}s whose slug is already taken in this file", f"{label} ({slug})")
            continue
        author = export.authors.get(item.creator)
        name = author.display_name if author else item.creator
        what = ("draft " if draft else "") + item.post_type
        plan.files.append(
            FilePlan(post_path(content_dir, pages_dir, item, slug), post_file(item, slug, name, draft), what)
        )
        plan.threads[slug] = ThreadPlan(
            slug=slug,
            title=item.title,
            author=name,
            published=item.published,
            closed_by_metadata=item.comment_status == "closed",
        )
        if item.password:
            summary.note(f"{slug}: password-protected on WordPress; Kiln has no such protection, so review it.")
        post_key = item.post_id or item.link or slug
        for comment in item.comments:
            planned = _comment(comment, post_key, slug, author, summary, label)
            if planned:
                plan.comments.append(planned)
    return plan


def _skip_reason(item: WxrItem, include_drafts: bool) -> str | bool:
    """Return why an item is skipped, or whether it is imported as a draft."""
    if item.post_type not in ("post", "page"):
        return f"{item.post_type} items (not posts or pages)"
    if item.status == "publish":
        return False
    if item.status in UNPUBLISHED:
        if include_drafts:
            return True
        return f"{item.status or 'status-less'} {item.post_type}s (use --include-drafts to import them as drafts)"
    return f"{item.post_type}s with status {item.status!r}"


def _comment(
    comment: WxrComment, post_key: str, slug: str, author: WxrAuthor | None, summary: Summary, label: str
) -> CommentPlan | None:
    where = f"{label} #{comment.comment_id}"
    kind = KINDS.get(comment.comment_type)
    state = STATES.get(comment.approved)
    if kind is None:
        summary.skip(f"comments of type {comment.comment_type!r}", where)
        return None
    if state is None:
        summary.skip(f"comments with approval state {comment.approved!r}", where)
        return None
    if comment.created is None:
        summary.skip("comments without a date", where)
        return None
    planned = CommentPlan(
        origin=f"wxr:{post_key}:{comment.comment_id}",
        slug=slug,
        parent_origin=None if comment.parent_id in ("", "0") else f"wxr:{post_key}:{comment.parent_id}",
        kind=kind,
        state=state,
        created=comment.created,
        author=comment.author,
        email=comment.email,
        website=comment.url,
        ip=comment.ip,
    )
    if kind == Kind.COMMENT:
        # Comments are stored with their paragraphs implied by blank lines, as posts are.
        planned.body_source = decode_wp_content(comment.content).strip()
        planned.by_post_author = _by_post_author(comment, author)
    else:
        _fill_linkback(planned, comment)
    return planned


def _by_post_author(comment: WxrComment, author: WxrAuthor | None) -> bool:
    if author is None:
        return False
    same_account = bool(author.user_id) and comment.user_id == author.user_id
    same_email = bool(author.email) and comment.email.lower() == author.email.lower()
    return same_account or same_email


def _fill_linkback(planned: CommentPlan, comment: WxrComment) -> None:
    """Split a linkback into title, site and excerpt; WordPress keeps a trackback's title in <strong>."""
    # lxml (libxml2) reads in one pass; the standard library's parser rescans to the end for every tag
    # left open ("<a<a<a…"), the square of a hostile comment's length. libxml2 adds <html><body>.
    soup = BeautifulSoup(comment.content, "lxml")
    first = soup.body.find(True) if soup.body else None
    planned.source_url = comment.url
    if first is not None and first.name == "strong" and comment.content.lstrip().startswith("<strong"):
        planned.title = first.get_text(" ", strip=True)
        planned.blog_name = comment.author
        first.extract()
    else:
        planned.title = comment.author
    planned.body_source = " ".join(soup.get_text(" ").split())
    planned.body_format = "text"
