"""Why a check judged a comment: a message with named values, stored language-neutral and read in the reader's language.

comments.verdict_reason holds the reasons as JSON, a list of [message, values] (or
[singular, values, plural] for a counted message), so the queue shows them in each
moderator's language. Values stored before this form are plain English text, shown as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from babel.numbers import format_decimal

from ..language.speaking import current_language, gettext, ngettext

Value = str | int | float
# comments.verdict_reason is String(500).
STORED_MAX = 500


@dataclass(frozen=True)
class Reason:
    """A check's reason: an N_() message (with its plural, counted by values["num"]) and its named values."""

    message: str
    values: Mapping[str, Value] = field(default_factory=dict)
    plural: str | None = None

    @classmethod
    def ngettext(cls, singular: str, plural: str, num: int, **values: Value) -> Reason:
        """Mark a counted message for the catalogs (extracted as ngettext is) without translating it yet."""
        return cls(singular, {"num": num, **values}, plural)

    def text(self) -> str:
        """Return the reason in the current language."""
        # A score like 0.97 is written as the language writes decimals ("0,97").
        shown = {
            name: format_decimal(value, "0.00", locale=current_language()) if isinstance(value, float) else value
            for name, value in self.values.items()
        }
        if self.plural is None:
            return gettext(self.message, **shown)
        return ngettext(self.message, self.plural, int(self.values["num"]), **shown)

    def stored(self) -> list[object]:
        """Return the reason as its JSON form holds it."""
        form: list[object] = [self.message, dict(self.values)]
        return form if self.plural is None else [*form, self.plural]


def store_reasons(reasons: Iterable[Reason]) -> str:
    """Return the reasons as verdict_reason stores them: whole reasons only, as many as fit, in order."""
    kept: list[list[object]] = []
    stored = ""
    for reason in reasons:
        longer = json.dumps([*kept, reason.stored()], ensure_ascii=False)
        if len(longer) > STORED_MAX:
            break
        kept.append(reason.stored())
        stored = longer
    return stored


def _reason(item: object) -> Reason:
    if not isinstance(item, list) or len(item) not in (2, 3):
        raise ValueError("not a stored reason")
    message, values, *plural = item
    if not isinstance(message, str) or not isinstance(values, dict) or not all(isinstance(p, str) for p in plural):
        raise ValueError("not a stored reason")
    return Reason(message, values, plural[0] if plural else None)


def reason_text(stored: str) -> str:
    """Return a stored verdict_reason in the current language, reasons joined by "; "; older plain text as it is."""
    if not stored.startswith("["):
        return stored
    try:
        items = json.loads(stored)
        if not isinstance(items, list):
            return stored
        return "; ".join(_reason(item).text() for item in items)
    except (ValueError, KeyError, TypeError):
        # Not our JSON after all (a legacy reason that happens to start with "["): show it as written.
        return stored
