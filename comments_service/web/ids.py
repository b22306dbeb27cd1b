"""Row ids from outside (URLs, forms, signed links): digits within the range every database's id column holds."""

from __future__ import annotations

from typing import Any, TypeGuard

from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's integer (and so every id column here) stops at 2**31 - 1; a larger number names no row,
# and sending it would make the database refuse the query instead of finding nothing.
MAX_ID = 2**31 - 1


def parse_id(raw: str) -> int | None:
    """Return raw as a row id, or None unless it is plain ASCII digits naming an id in range."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)):
        return None
    number = int(raw)
    return number if 0 < number <= MAX_ID else None


def is_id(value: object) -> TypeGuard[int]:
    """Tell whether a decoded value (a JSON number, a signed link's field) is a row id in range."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


class IdConverter(IntegerConverter):
    """The `<id:…>` URL part: like `<int:…>`, but only ids in range match (a larger one is a 404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
