"""Render the reader's pages in the blog's own page: the post, with the service's part where its comments are."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask import Response, current_app, render_template

from ..baking.pelican_site import Site
from ..baking.trigger import site_of
from ..blog.closing import closed_now
from ..blog.identity import SiteIdentity
from ..extensions import db
from ..language.speaking import gettext as _
from ..rendering.render import region_context, render_region, render_theme_template
from ..rendering.thread_view import CommentNode, ThreadView, comment_node, empty_view
from ..store.comments import get_comment
from ..store.models import State
from ..store.threads import ThreadRow
from ..web.ids import parse_id
from .cross_origin import origin_of
from .frame import framed, post_page
from .validation import LABELS


def field_labels() -> dict[str, str]:
    """Return what the form calls each field, in the current language."""
    return {name: _(label) for name, label in LABELS.items()}


def content_security_policy(site: SiteIdentity, gravatar: bool) -> str:
    """Return the policy of the reader's pages: the site's own stylesheet, script and images, and nothing inline."""
    own = " ".join(filter(None, ["'self'", origin_of(site.site_url)]))
    images = " ".join(filter(None, [own, "data:", "https://gravatar.com" if gravatar else ""]))
    forms = " ".join(filter(None, ["'self'", origin_of(site.service_url)]))
    return (
        f"default-src 'none'; script-src {own}; style-src {own}; img-src {images}; connect-src {forms}; "
        f"form-action {forms}; base-uri 'none'; frame-ancestors 'none'"
    )


def _respond(site: Site, thread: ThreadRow, region: str, status: int, title_prefix: str) -> Response:
    page = post_page(site, thread)
    if page is None:
        # A site not built yet (or built elsewhere): the same part in the service's plain page.
        html = render_template("reader_fallback.html", region=region, title=title_prefix + thread.title)
    else:
        html = framed(page, thread.slug, region, title_prefix)
    response = Response(html, status=status, mimetype="text/html")
    # Only this reader may see it: what they typed, their unpublished comment.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = content_security_policy(
        site.identity, site.options.avatars == "gravatar"
    )
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def thread_of(thread: ThreadRow) -> ThreadView:
    """Return the bare view the reader's pages need of a thread: where it is, its language, whether it is closed."""
    return empty_view(thread.slug, closed_now(thread), thread.published, thread.language)


def reader_page(
    thread: ThreadRow,
    heading: str,
    status: int = 200,
    title_prefix: str = "",
    **context: Any,
) -> Response:
    """Answer with the post's page, its comments replaced by a page of the service's (kiln/reader.html)."""
    site = site_of(current_app)
    defaults: dict[str, Any] = {
        "message": "",
        "errors": {},
        "notice": "",
        "preview": None,
        "replying_to": None,
        "show_form": True,
        "values": {},
        "action": "",
        "editing": False,
        "csrf": "",
        "delete_action": "",
        "labels": field_labels(),
        "title": thread.title,
        "post_url": site.identity.site_link(thread.url),
    }
    values = region_context(site.options, thread_of(thread), heading=heading, **(defaults | context))
    region = render_theme_template("kiln/reader.html", site.options, **values)
    return _respond(site, thread, region, status, title_prefix)


def own_comments_page(thread: ThreadRow, view: ThreadView) -> Response:
    """Answer with the post's page showing the reader's own comments where they belong, marked as theirs."""
    site = site_of(current_app)
    region = render_region("comments", view, site.options, open_more=True)
    return _respond(site, thread, region, 200, "")


def own_nodes(roots: list[CommentNode]) -> Iterator[CommentNode]:
    """Yield the reader's own comments anywhere in a thread's tree."""
    for node in roots:
        if node.own:
            yield node
        yield from own_nodes(node.children)


def kept_values(form: Mapping[str, str]) -> dict[str, str]:
    """Return what the reader typed into the form's fields, to fill them in again."""
    return {name: form.get(name) or "" for name in ("author", "email", "website", "body", "notify")}


def replying_to(thread: ThreadRow, raw_id: str) -> CommentNode | None:
    """Return the published comment on this thread a form's parent field names, if it names one."""
    comment_id = parse_id(raw_id)
    comment = get_comment(db(), comment_id) if comment_id is not None else None
    if comment is None or comment.thread_id != thread.id or comment.state != State.APPROVED:
        return None
    return comment_node(comment)
