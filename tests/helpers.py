"""Small helpers the tests share: pulling CSRF tokens out of pages."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def csrf_token_from(html: str) -> str:
    """Pull the CSRF token out of a rendered form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def moderation_token(client: FlaskClient) -> str:
    """Return a valid CSRF token for the logged-in client's session."""
    return csrf_token_from(client.get("/moderate/").get_data(as_text=True))
