"""Spam and abuse defences that need no outside service: a pipeline of small checks and a learning filter."""

from __future__ import annotations

from flask import Flask

from ..events import comment_state_changed
from .feedback import learn_from_verdict
from .pipeline import configured_checks
from .reasons import reason_text
from .verdict import setting_list
from .word_lists import parse_networks


def init_app(app: Flask) -> None:
    """Check the spam settings at start-up, let moderator verdicts train the filter, show verdict reasons translated."""
    configured_checks(app.config)
    # {{ comment.verdict_reason|reason_text }}: a stored reason in the language of the page.
    app.jinja_env.filters["reason_text"] = reason_text
    parse_networks(tuple(setting_list(app.config["DISALLOWED_ADDRESSES"])))
    comment_state_changed.connect(learn_from_verdict)
