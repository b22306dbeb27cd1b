"""Turn untrusted comment text into safe HTML: Markdown in, allow-listed HTML out."""

from __future__ import annotations

import re

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

from .linkify import linkify_html, linkify_text

ALLOWED_TAGS = frozenset(
    {"p", "br", "a", "em", "strong", "i", "b", "code", "pre", "blockquote", "ul", "ol", "li", "del"}
)
# rel is not among them: the sanitiser writes rel="nofollow ugc" on every link itself.
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "title"})}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Every link is user-generated and not endorsed.
LINK_REL = "nofollow ugc"


# CommonMark through cmark, the reference C parser, built to stay linear on any input (its test
# suite holds pathological cases: nested brackets, emphasis, quotes); Python-Markdown was quadratic
# on some runs of punctuation. Line breaks are kept as the comment form's readers expect; raw HTML
# is passed on for the sanitiser to judge, as before.
_CMARK_OPTIONS = Options.CMARK_OPT_HARDBREAKS | Options.CMARK_OPT_UNSAFE
# Quotes nested deeper than this are shown at this depth: each level costs the sanitiser more the
# deeper it sits, and ">>>>…" asks for one level per character.
MAX_QUOTE_DEPTH = 16
_QUOTE_MARKERS = re.compile(r"^(?:[ ]{0,3}>[ ]?)++", re.MULTILINE)


def _shallow_quotes(source: str) -> str:
    """Cut the quote markers of lines quoted deeper than MAX_QUOTE_DEPTH down to that depth."""
    if ">" * (MAX_QUOTE_DEPTH + 1) not in source.replace(" ", ""):
        return source
    return _QUOTE_MARKERS.sub(
        lambda markers: (
            markers.group() if markers.group().count(">") <= MAX_QUOTE_DEPTH else ">" * MAX_QUOTE_DEPTH + " "
        ),
        source,
    )


def markdown_to_html(source: str) -> str:
    """Render a reader's Markdown (CommonMark, newlines kept) to sanitised HTML."""
    return html_to_safe_html(cmarkgfm.markdown_to_html(_shallow_quotes(source), options=_CMARK_OPTIONS))


def html_to_safe_html(markup: str) -> str:
    """Sanitise HTML from any source down to the allow-list, bare addresses linked, links marked nofollow ugc."""
    # Cleaned first, so the linker's parser (the standard library's, quadratic on a tag left open
    # at the end) reads only whole tags; cleaned again, for the links it wrote.
    return _clean(linkify_html(_clean(markup)))


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
