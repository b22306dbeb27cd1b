"""Turn untrusted comment text into safe HTML: Markdown in, allow-listed HTML out."""

from __future__ import annotations

import re
import threading

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from lxml import etree
from lxml import html as lxml_html

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
    if source.count(">") <= MAX_QUOTE_DEPTH:
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
    # The linker's parser (the standard library's, quadratic on a tag left open at the end) reads
    # the markup as libxml2 rewrote it, whole tags only; the sanitiser then judges all of it.
    return _clean(_short_text_runs(linkify_html(_well_formed(markup))))


def text_to_html(text: str) -> str:
    """Render plain text as paragraphs and line breaks, escaping everything and linking bare addresses."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    linked = (linkify_text(p).replace("\n", "<br>\n") for p in paragraphs)
    return _clean(_short_text_runs("\n".join(f"<p>{p}</p>" for p in linked)))


def render_body(source: str, body_format: str) -> str:
    """Render a stored body in its format to safe HTML."""
    renderers = {"markdown": markdown_to_html, "html": html_to_safe_html, "text": text_to_html}
    return renderers[body_format](source)


# libxml2's HTML parser: linear on any input, and what it writes back has only whole tags, text with
# "&", "<" and ">" escaped and attributes in double quotes. Comments go here already. A parser
# keeps state while it works, so every thread has its own.
class _Parsers(threading.local):
    """This thread's lenient HTML parser."""

    def __init__(self) -> None:
        self.html = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8", huge_tree=True)


_parsers = _Parsers()


def _well_formed(markup: str) -> str:
    """Return HTML as libxml2 reads it, written back: the same content, every tag whole."""
    if not markup.strip():
        return ""
    parser = _parsers.html
    # Bytes, so a charset in the markup cannot make libxml2 decode it again.
    wrapper = lxml_html.fragment_fromstring(markup.encode("utf-8", "replace"), create_parent="div", parser=parser)
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        # Nested past libxml2's 2,048 levels, where it stops reading (and the sanitiser's cost
        # grows with the square of the depth): no reader's HTML is, so it is shown as written.
        return text_to_html(markup)
    written: str = etree.tostring(wrapper, encoding="unicode", method="html")
    return written[len("<div>") : -len("</div>")]


# In markup written by libxml2 or built like it (every "<" opens a whole tag, attributes in double
# quotes), a tag or a run of text. The sanitiser's cost grows with the square of a text run's count
# of "&" and no-break spaces (64 KiB of "&" took 35 ms, 256 KiB 470 ms), so long runs are cut into
# pieces by empty comments, which it drops: the text it writes is the same, at a linear cost.
_TAG_OR_TEXT = re.compile(r'(<[^>"]*+(?:"[^"]*+"[^>"]*+)*+>)|([^<]++)')
# 256 characters or character references ("&amp;", "&#38;"; a bare "&" with what follows it), so no
# cut falls inside a reference.
_PIECE = re.compile(r"(?>[^&]|&[^;&<]{0,32}+;?+){256}")
LONG_TEXT = 2048


def _short_text_runs(markup: str) -> str:
    """Cut each text run longer than LONG_TEXT characters of sanitiser-written markup with empty comments."""
    if len(markup) <= LONG_TEXT:
        return markup
    return _TAG_OR_TEXT.sub(
        lambda found: (
            found.group()
            if found.group(1) or len(found.group()) <= LONG_TEXT
            else _PIECE.sub(r"\g<0><!---->", found.group())
        ),
        markup,
    )


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
