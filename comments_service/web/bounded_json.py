"""The service's JSON reader: Flask's, with a document nested deeper than Python's parser goes read as invalid."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where "[[[[…" nested past the recursion limit is bad JSON (a 400), not a crash (a 500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Read a JSON document; raise ValueError for one too deep to read, as for any invalid one."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("the JSON document is nested too deeply") from error
