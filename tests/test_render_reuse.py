"""A bake reuses the comments of the page it replaces only when they were rendered from the same values."""

from __future__ import annotations

import gc
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from comments_service.blog.identity import SiteIdentity
from comments_service.rendering.feeds import PostFeed, render_post_feed
from comments_service.rendering.render import RenderOptions, render_region
from comments_service.rendering.thread_view import CommentNode, ThreadView, build_view
from comments_service.store.models import Kind, State
from comments_service.store.threads import FeedEntry, VisibleRow

REPO = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"<!--kiln:comment:([0-9a-f]{32})-->(.*?)<!--/kiln:comment-->", re.S)


@pytest.fixture
def options(tmp_path: Path) -> RenderOptions:
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    return RenderOptions(
        theme_templates=str(theme / "templates"), site=SiteIdentity(service_url="https://kiln.example.org")
    )


def _node(comment_id: int, body: str, *children: CommentNode) -> CommentNode:
    created = datetime(2009, 5, 25, 7, comment_id, tzinfo=UTC)
    return CommentNode(comment_id, "Ans", "", body, created, False, False, children=list(children))


def _view(*roots: CommentNode, closed: bool = False) -> ThreadView:
    return ThreadView(slug="zeker", closed=closed, roots=list(roots), linkbacks=[], comment_count=len(roots))


def _planted(page: str, comment_id: int) -> str:
    """Return page with the fenced HTML of one comment replaced by a marker a fresh render never writes."""

    def plant(match: re.Match[str]) -> str:
        fenced, inner = match.group(0), match.group(2)
        return fenced.replace(inner, "PLANTED") if f'id="comment-{comment_id}"' in inner else fenced

    return FENCE.sub(plant, page)


def test_each_top_level_comment_is_fenced_and_a_rerender_reuses_it(options: RenderOptions) -> None:
    view = _view(_node(1, "<p>Eerste</p>", _node(3, "<p>Antwoord</p>")), _node(2, "<p>Tweede</p>"))
    page = render_region("comments", view, options)
    assert [re.findall(r'<li id="comment-(\d+)"', piece) for _key, piece in FENCE.findall(page)] == [["1", "3"], ["2"]]
    assert render_region("comments", view, options, previous=page) == page
    reused = render_region("comments", view, options, previous=_planted(page, 2))
    assert "PLANTED" in reused and "Tweede" not in reused


def test_a_change_anywhere_in_a_comments_subtree_renders_it_anew(options: RenderOptions) -> None:
    page = _planted(render_region("comments", _view(_node(1, "<p>Eerste</p>"), _node(2, "<p>Tweede</p>")), options), 1)
    with_reply = _view(_node(1, "<p>Eerste</p>", _node(3, "<p>Antwoord</p>")), _node(2, "<p>Tweede</p>"))
    assert "PLANTED" not in render_region("comments", with_reply, options, previous=page)
    edited = _view(_node(1, "<p>Eerste, bijgewerkt</p>"), _node(2, "<p>Tweede</p>"))
    assert "PLANTED" not in render_region("comments", edited, options, previous=page)


def test_closing_the_thread_or_moving_the_service_renders_every_comment_anew(options: RenderOptions) -> None:
    view = _view(_node(1, "<p>Eerste</p>"))
    page = _planted(render_region("comments", view, options), 1)
    closed = render_region("comments", _view(_node(1, "<p>Eerste</p>"), closed=True), options, previous=page)
    assert "PLANTED" not in closed and "Reply to" not in closed
    moved = RenderOptions(
        theme_templates=options.theme_templates, site=SiteIdentity(service_url="https://elders.example.org")
    )
    assert "PLANTED" not in render_region("comments", view, moved, previous=page)


def test_an_edited_template_renders_every_comment_anew(options: RenderOptions) -> None:
    view = _view(_node(1, "<p>Eerste</p>"))
    page = _planted(render_region("comments", view, options), 1)
    form = Path(options.theme_templates) / "kiln" / "form.html"
    form.write_text(form.read_text().replace("Post comment", "Send"))
    # The template loader notices an edit by its modification time.
    later = form.stat().st_mtime + 5
    os.utime(form, (later, later))
    rendered = render_region("comments", view, options, previous=page)
    assert "PLANTED" not in rendered and "Send</button>" in rendered


def _rows(created: datetime) -> list[VisibleRow]:
    return [
        VisibleRow(n, 1, None if n < 3 else 1, Kind.COMMENT, State.APPROVED, "Ans", "", "", f"<p>{n}</p>", "", created,
                   False, "", "", "")
        for n in range(1, 6)
    ]  # fmt: skip


def test_a_render_leaves_no_reference_cycle_holding_the_thread(options: RenderOptions) -> None:
    """A bake's rows and comment tree are freed when it ends, not at the collector's next full pass."""
    created = datetime(2009, 5, 25, 7, 0, tzinfo=UTC)
    thread = SimpleNamespace(slug="zeker", closed_explicitly=False, published=created, language="")
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        page = render_region("comments", build_view(thread, _rows(created)), options)  # type: ignore[arg-type]
        render_region("comments", build_view(thread, _rows(created)), options, previous=page)  # type: ignore[arg-type]
        gc.collect()
        # The template's context may still be in a cycle with its macros: it holds no comment.
        assert not [o for o in gc.garbage if isinstance(o, (VisibleRow, CommentNode))]
        assert all(not o.roots for o in gc.garbage if isinstance(o, ThreadView))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_a_feed_reuses_its_unchanged_entries_until_the_entry_template_is_edited(options: RenderOptions) -> None:
    created = datetime(2009, 5, 25, 7, 0, tzinfo=UTC)
    entry = FeedEntry(1, "Ans", "", "<p>Eerste</p>", created, "zeker", "Zeker", "zeker.html")
    feed = PostFeed("zeker", "Zeker", "zeker.html", created, [entry])
    text = render_post_feed(feed, options).decode()
    planted = text.replace("<name>Ans</name>", "<name>PLANTED</name>")
    assert "PLANTED" in render_post_feed(feed, options, planted).decode(), "an unchanged entry is reused"
    template = Path(options.theme_templates) / "kiln" / "comment.atom.xml"
    template.write_text(template.read_text().replace("<title>", "<title>Re: "))
    later = template.stat().st_mtime + 5
    os.utime(template, (later, later))
    rendered = render_post_feed(feed, options, planted).decode()
    assert "PLANTED" not in rendered and "<title>Re: Ans on Zeker</title>" in rendered
