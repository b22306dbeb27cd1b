"""Turn untrusted comment text into safe HTML: Markdown in, allow-listed HTML out."""

from __future__ import annotations

import html
import threading
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter

ALLOWED_TAGS = frozenset(
    {"p", "br", "a", "em", "strong", "i", "b", "code", "pre", "blockquote", "ul", "ol", "li", "del"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _rel_nofollow_ugc(attrs: dict[tuple[str | None, str], str], new: bool = False) -> dict:
    """Mark every link as user-generated and not endorsed."""
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "nofollow ugc"
    return attrs


# Building a converter or cleaner costs more than using one, and neither is thread-safe
# (each keeps parser state while it works), so every thread keeps its own.
class _Tools(threading.local):
    """This thread's Markdown converter and bleach cleaner (which also links bare URLs)."""

    def __init__(self) -> None:
        self.markdown = markdown.Markdown(extensions=["nl2br", "sane_lists"], output_format="html")
        self.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            # Linking in the cleaning pass, as bleach advises: a second pass over the cleaned
            # HTML escaped the text of code spans again (`a < b` became a &amp;lt; b).
            filters=[partial(LinkifyFilter, callbacks=[_rel_nofollow_ugc], skip_tags={"pre", "code"})],
        )


_tools = _Tools()


def markdown_to_html(source: str) -> str:
    """Render a reader's Markdown (newlines kept) to sanitised HTML."""
    # reset() clears what the previous conversion left behind (references, footnotes, stash).
    rendered = _tools.markdown.reset().convert(source)
    return html_to_safe_html(rendered)


def html_to_safe_html(markup: str) -> str:
    """Sanitise HTML from any source down to the allow-list, links marked nofollow ugc."""
    return _tools.cleaner.clean(markup).strip()


def text_to_html(text: str) -> str:
    """Render plain text as paragraphs and line breaks, escaping everything."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    escaped = (html.escape(p, quote=False).replace("\n", "<br>\n") for p in paragraphs)
    return html_to_safe_html("\n".join(f"<p>{p}</p>" for p in escaped))


def render_body(source: str, body_format: str) -> str:
    """Render a stored body in its format to safe HTML."""
    renderers = {"markdown": markdown_to_html, "html": html_to_safe_html, "text": text_to_html}
    return renderers[body_format](source)
