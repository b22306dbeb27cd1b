"""What the learning filter learns and scores a comment by: its tokens (the counts live in store.spam_tokens)."""

from __future__ import annotations

from ..store.models import Comment
from .bayes import tokens
from .links import links_in

LABELS = ("spam", "ham")


def comment_tokens(author: str, website: str, body: str, body_html: str) -> set[str]:
    """Return the tokens the filter learns from and scores a comment by."""
    return tokens(author, website, body, links_in(body_html))


def stored_comment_tokens(comment: Comment) -> set[str]:
    """Return the tokens of a stored comment (a linkback's source counts as its website)."""
    return comment_tokens(comment.author, comment.website or comment.source_url, comment.body_source, comment.body_html)
