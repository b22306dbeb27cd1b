"""Comment bodies in, safe HTML out: the allow-list, links made from bare addresses, entities escaped once."""

from __future__ import annotations

import re

import pytest

from comments_service.text import linkify
from comments_service.text.sanitize import html_to_safe_html, markdown_to_html, text_to_html

from .spam_corpus import load

# Tags that run or load something, event handlers, script and data addresses, styles, comments.
_ACTIVE = re.compile(r"<(script|img|iframe|svg|style)|\son\w+=|href=\"?(javascript|data):|style=|<!--")


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[klik](javascript:alert(1))",
        "<a href='JaVaScRiPt:alert(1)'>klik</a>",
        "<img src=x onerror=alert(1)>",
        "<p onclick='alert(1)' style='color:red'>tekst</p>",
        "<a href='data:text/html;base64,PHNjcmlwdD4='>klik</a>",
        "<iframe src='https://evil.example/'></iframe>",
        "<svg><script>alert(1)</script></svg>",
        "<!-- <script>alert(1)</script> -->",
        "<style>body{display:none}</style>",
    ],
)
def test_nothing_that_runs_or_restyles_survives(source: str) -> None:
    for render in (markdown_to_html, html_to_safe_html):
        html = render(source).lower()
        assert not _ACTIVE.search(html), html
    assert "alert" not in html_to_safe_html("<p>a</p><script>alert(1)</script>"), "a script's text goes too"


def test_markdown_keeps_the_allowed_markup_and_marks_every_link() -> None:
    html = markdown_to_html("**vet** en *schuin*\n\n> citaat\n\n- een\n- twee\n\n[site](https://example.org/a?b=1&c=2)")
    assert "<strong>vet</strong> en <em>schuin</em>" in html
    assert "<blockquote>" in html and "<ul>" in html and "<li>een</li>" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc">site</a>' in html
    assert markdown_to_html("regel een\nregel twee") == "<p>regel een<br>\nregel twee</p>"


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("zie https://example.org/x.", '<a href="https://example.org/x" rel="nofollow ugc">https://example.org/x</a>.'),
        ("zie www.sales20.nl", '<a href="http://www.sales20.nl" rel="nofollow ugc">www.sales20.nl</a>'),
        ("zie example.com/pad", '<a href="http://example.com/pad" rel="nofollow ugc">example.com/pad</a>'),
        ("spam http://cheap.top", '<a href="http://cheap.top" rel="nofollow ugc">http://cheap.top</a>'),
    ],
)
def test_bare_addresses_become_marked_links_in_every_format(text: str, link: str) -> None:
    assert link in markdown_to_html(text)
    assert link in html_to_safe_html(f"<p>{text}</p>")
    assert link in text_to_html(text)


def test_addresses_in_code_links_and_mail_stay_as_they_are() -> None:
    html = markdown_to_html("`https://a.example.org` en [tekst](https://b.example.org) en piet@example.org")
    assert "<code>https://a.example.org</code>" in html
    assert html.count("<a ") == 1 and "mailto" not in html
    block = markdown_to_html("    curl https://c.example.org/?a=1&b=2")
    assert block == "<pre><code>curl https://c.example.org/?a=1&amp;b=2\n</code></pre>"


def test_entities_are_escaped_exactly_once() -> None:
    assert markdown_to_html("`a < b` & c") == "<p><code>a &lt; b</code> &amp; c</p>"
    assert markdown_to_html("    if a < b && c:") == "<pre><code>if a &lt; b &amp;&amp; c:\n</code></pre>"
    assert html_to_safe_html("<p>5 &amp; 6 &lt; 7 https://x.example.org</p>").startswith("<p>5 &amp; 6 &lt; 7 <a ")
    assert text_to_html("a < b & c\n\n<b>niet vet</b>") == "<p>a &lt; b &amp; c</p>\n<p>&lt;b&gt;niet vet&lt;/b&gt;</p>"


def test_the_quick_look_for_an_address_misses_none_the_finder_would_link(monkeypatch: pytest.MonkeyPatch) -> None:
    samples = [row["body"] for row in load("spam") + load("ham")]
    samples += ["localhost:8000/x", "192.0.2.1/pad", "mailto:piet@example.org", "//example.org", "ｗｗｗ.example.org"]
    quick = [linkify.linkify_text(text) for text in samples]
    # Without the quick look, the finder sees every text.
    monkeypatch.setattr(linkify, "_MAYBE_A_LINK", re.compile(""))
    assert [linkify.linkify_text(text) for text in samples] == quick
    assert sum("<a " in html for html in quick) > 50


def test_markup_nested_past_the_parsers_depth_keeps_its_text() -> None:
    html = html_to_safe_html("<blockquote>" * 300 + "deep text" + "</blockquote>" * 300 + "<p>after</p>")
    assert html.count("<blockquote>") == 300 and "deep text" in html and "<p>after</p>" in html
    # Past libxml2's 2,048 levels the markup is shown as it was written, escaped.
    html = html_to_safe_html("<blockquote>" * 3000 + "deep text" + "</blockquote>" * 3000 + "<p>after</p>")
    assert "<blockquote>" not in html and "&lt;blockquote&gt;deep text&lt;/blockquote&gt;" in html


def test_long_runs_of_ampersands_and_no_break_spaces_come_out_as_the_sanitiser_writes_them() -> None:
    run = "a & b\u00a0c &amp; " * 2000
    assert html_to_safe_html(f"<p>{run}</p>") == "<p>" + "a &amp; b&nbsp;c &amp; " * 2000 + "</p>"
    assert "<!--" not in markdown_to_html(run) and markdown_to_html(run).count("&amp;") == 4000
