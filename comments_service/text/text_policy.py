"""The characters no text people send may hold: controls, lone surrogates and non-characters.

Refused everywhere: the C0 controls except tab, line feed and carriage return, DEL, the C1 controls
(U+0080..U+009F), lone surrogates (U+D800..U+DFFF, which a JSON escape can carry) and the Unicode
non-characters (U+FDD0..U+FDEF and the last two code points of every plane). PostgreSQL cannot store
a NUL at all and SQLite stores it, so refusing the class makes both databases answer alike. Single-line
fields (names, addresses, URLs) also refuse tab, line feed and carriage return. A carriage return
in multi-line text is allowed here; callers turn CRLF and a lone CR into LF before storing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from ..language.speaking import N_

_NON_CHARACTERS = "".join(chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SURROGATES = "\ud800-\udfff"
_MULTI_LINE = re.compile(f"[{_CONTROLS}{_SURROGATES}\ufdd0-\ufdef{_NON_CHARACTERS}]")
_ONE_LINE = re.compile(f"[\t\n\r{_CONTROLS}{_SURROGATES}\ufdd0-\ufdef{_NON_CHARACTERS}]")

# Marked for the catalogs; each is translated where it is shown, in that answer's language.
CONTROL = N_("contains a control character")
SURROGATE = N_("contains a lone surrogate")
NON_CHARACTER = N_("contains a Unicode non-character")
LINE_BREAK = N_("must be one line (no tabs or line breaks)")


def _name(char: str) -> str:
    if char in "\t\n\r":
        return LINE_BREAK
    if "\ud800" <= char <= "\udfff":
        return SURROGATE
    if ord(char) <= 0x9F:
        return CONTROL
    return NON_CHARACTER


def problem(value: str, *, one_line: bool = False) -> str | None:
    """Say what forbidden character value holds (the first one found), or None if it holds none."""
    # One search with one character class: linear in the text, whatever the text.
    found = (_ONE_LINE if one_line else _MULTI_LINE).search(value)
    return _name(found.group()) if found else None


def field_problems(values: Mapping[str, str], one_line: Collection[str] = ()) -> dict[str, str]:
    """Return a message per field whose value holds a forbidden character.

    Controls are looked for in the value as sent; tabs and line breaks in a one-line field only
    inside what is kept, as surrounding whitespace is trimmed before storing.
    """
    found = {}
    for name, value in values.items():
        if message := problem(value) or (name in one_line and problem(value.strip(), one_line=True)) or None:
            found[name] = message
    return found


def clean(value: str, *, one_line: bool = False) -> str:
    """Drop forbidden characters (in one-line text, tabs and line breaks become spaces)."""
    if one_line:
        value = value.replace("\r\n", " ").translate({9: " ", 10: " ", 13: " "})
    return _MULTI_LINE.sub("", value)


def newlines(value: str) -> str:
    """Turn CRLF and lone CR line endings into LF, as a browser's form would send them and Markdown reads them."""
    return value.replace("\r\n", "\n").replace("\r", "\n")
