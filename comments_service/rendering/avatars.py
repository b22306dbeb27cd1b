"""Avatars without tracking: keyed identicons drawn inline, and Gravatar only for sites that opt in."""

from __future__ import annotations

import colorsys
import hashlib
import hmac
import unicodedata
from functools import lru_cache
from itertools import groupby

from markupsafe import Markup

# A shorter key would let anyone who guesses it match pictures to addresses.
_MIN_KEY_BYTES = 16
_GRID = 5
# (saturation, lightness) in HSL: even yellow, the weakest hue, keeps 3.6:1 contrast, above WCAG's 3:1 for graphics.
_FOREGROUND = (0.55, 0.34)
_BACKGROUND = (0.45, 0.95)


def identicon_svg(key: str, email: str, author: str) -> Markup:
    """Return an inline SVG identicon for a commenter, the same for the same email (or, without one, name)."""
    address = _normal_email(email)
    identity = address or "name:" + unicodedata.normalize("NFC", author).casefold()
    return _identicon(key, identity)


def gravatar_url(email: str, size: int = 80) -> str | None:
    """Return the Gravatar image address for email, or None when there is no email."""
    address = _normal_email(email)
    if not address:
        return None
    digest = hashlib.sha256(address.encode("utf-8")).hexdigest()
    return f"https://gravatar.com/avatar/{digest}?s={size}&d=identicon"


def _normal_email(email: str) -> str:
    return email.strip().lower()


# Bakes render the same commenters on page after page.
@lru_cache(maxsize=4096)
def _identicon(key: str, identity: str) -> Markup:
    secret = bytes.fromhex(key)
    if len(secret) < _MIN_KEY_BYTES:
        raise ValueError(f"an avatar key needs at least {_MIN_KEY_BYTES} bytes; see avatar_key()")
    digest = hmac.new(secret, identity.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
    hue = int.from_bytes(digest[2:4], "big") % 360 / 360
    bits = int.from_bytes(digest[:2], "big")
    half = (_GRID + 1) // 2
    runs = []
    for row in range(_GRID):
        # Columns 0-2 decide, 3-4 mirror 1-0: the picture is symmetric left to right.
        left = [bool(bits >> (row * half + column) & 1) for column in range(half)]
        cells = left + left[-2::-1]
        runs.extend(_runs(cells, row))
    path = f'<path fill="{_colour(hue, *_FOREGROUND)}" d="{"".join(runs)}"/>' if runs else ""
    # Presentation attributes only and no ids: a strict CSP forbids inline style, and a page holds many avatars.
    return Markup(
        f'<svg class="avatar" aria-hidden="true" focusable="false" width="40" height="40" '
        f'viewBox="0 0 {_GRID} {_GRID}"><rect width="{_GRID}" height="{_GRID}" '
        f'fill="{_colour(hue, *_BACKGROUND)}"/>{path}</svg>'
    )


def _runs(cells: list[bool], row: int) -> list[str]:
    """Return one path rectangle per run of filled cells in a row, to keep the markup short."""
    found = []
    column = 0
    for filled, group in groupby(cells):
        width = len(list(group))
        if filled:
            found.append(f"M{column} {row}h{width}v1H{column}z")
        column += width
    return found


def _colour(hue: float, saturation: float, lightness: float) -> str:
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"
