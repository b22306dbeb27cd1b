"""Turn untrusted comment text into safe HTML: Markdown in, allow-listed HTML out."""

from __future__ import annotations

import threading

import markdown
import nh3

from .linkify import linkify_html, linkify_text

ALLOWED_TAGS = frozenset(
    {"p", "br", "a", "em", "strong", "i", "b", "code", "pre", "blockquote", "ul", "ol", "li", "del"}
)
# rel is not among them: the sanitiser writes rel="nofollow ugc" on every link itself.
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "title"})}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Every link is user-generated and not endorsed.
LINK_REL = "nofollow ugc"


# Building a converter costs more than using one, and it is not thread-safe (it keeps
# parser state while it works), so every thread keeps its own.
class _Tools(threading.local):
    """This thread's Markdown converter."""

    def __init__(self) -> None:
        self.markdown = markdown.Markdown(extensions=["nl2br", "sane_lists"], output_format="html")


_tools = _Tools()


def markdown_to_html(source: str) -> str:
    """Render a reader's Markdown (newlines kept) to sanitised HTML."""
    # reset() clears what the previous conversion left behind (references, footnotes, stash).
    rendered = _tools.markdown.reset().convert(source)
    return html_to_safe_html(rendered)


def html_to_safe_html(markup: str) -> str:
    """Sanitise HTML from any source down to the allow-list, bare addresses linked, links marked nofollow ugc."""
    return _clean(linkify_html(markup))


def text_to_html(text: str) -> str:
    """Render plain text as paragraphs and line breaks, escaping everything and linking bare addresses."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    linked = (linkify_text(p).replace("\n", "<br>\n") for p in paragraphs)
    return _clean("\n".join(f"<p>{p}</p>" for p in linked))


def render_body(source: str, body_format: str) -> str:
    """Render a stored body in its format to safe HTML."""
    renderers = {"markdown": markdown_to_html, "html": html_to_safe_html, "text": text_to_html}
    return renderers[body_format](source)


def _clean(markup: str) -> str:
    # nh3 is ammonia, the Rust sanitiser: a disallowed tag goes and its text stays, except
    # for script and style, whose content goes too; comments go; so do addresses in any
    # other scheme, javascript: included.
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_PROTOCOLS,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
