"""Turn a WordPress post or page into a Pelican Markdown file: metadata header and body."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from markdownify import markdownify
from pelican.settings import DEFAULT_CONFIG
from pelican.tools.pelican_import import decode_wp_content
from pelican.utils import slugify

from .wxr_items import WxrItem

# A slug becomes a file name and a URL: letters (any script), digits, '-', '_' and inner dots only.
SAFE_SLUG = re.compile(r"\w[\w.-]*", re.UNICODE)
UNTITLED = "(no title)"


def post_slug(item: WxrItem) -> str:
    """Return the item's slug: WordPress's own if it is safe, else one made from the title or id."""
    if SAFE_SLUG.fullmatch(item.slug) and ".." not in item.slug:
        return item.slug
    made = slugify(item.title, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
    if made:
        return made
    return f"post-{item.post_id}" if item.post_id.isdigit() else ""


def to_markdown(markup: str) -> str:
    """Convert WordPress post HTML (paragraphs implied by blank lines) to Markdown."""
    if not markup.strip():
        return ""
    # WordPress keeps paragraphs as blank lines and adds <p> only when showing a post (wpautop);
    # Pelican's importer carries a port of it.
    explicit = decode_wp_content(markup)
    converted = markdownify(explicit, heading_style="ATX", bullets="-", strip=["script", "style"])
    # markdownify leaves runs of blank lines where block elements met; one is enough.
    return re.sub(r"\n{3,}", "\n\n", converted).strip()


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00:00")


def post_file(item: WxrItem, slug: str, author: str, draft: bool) -> str:
    """Return the Markdown file for an item: a header Pelican reads, a blank line, the body."""
    header = [("Title", _one_line(item.title) or UNTITLED)]
    if item.published:
        header.append(("Date", _date(item.published)))
    if author:
        header.append(("Author", _one_line(author)))
    if item.categories and item.post_type == "post":
        header.append(("Category", _one_line(item.categories[0])))
    if item.tags:
        header.append(("Tags", ", ".join(_one_line(t).replace(",", " ") for t in item.tags)))
    header.append(("Slug", slug))
    summary = _one_line(to_markdown(item.excerpt))
    if summary:
        header.append(("Summary", summary))
    if item.comment_status == "closed":
        header.append(("Comments", "closed"))
    if draft:
        header.append(("Status", "draft"))
    lines = [f"{key}: {value}" for key, value in header]
    return "\n".join(lines) + "\n\n" + to_markdown(item.content) + "\n"


def post_path(content_dir: Path, pages_dir: str, item: WxrItem, slug: str) -> Path:
    """Return where an item's file goes: pages under the pages folder, posts at the top."""
    folder = content_dir / pages_dir if item.post_type == "page" else content_dir
    return folder / f"{slug}.md"
