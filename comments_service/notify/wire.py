"""The policy mail goes out with: SMTP's, except that list headers are written as they are, never encoded."""

from __future__ import annotations

from email.policy import EmailPolicy
from typing import Any

# RFC 5322's hard limit on a line, line break excluded.
MAX_LINE = 998
# Headers whose values are angle-bracketed URLs or ids: an RFC 2047 encoded word is not allowed in them,
# and mail clients read them as they are on the wire, so a long one is never turned into encoded words.
VERBATIM = frozenset({"list-unsubscribe", "list-unsubscribe-post", "list-id"})


def fold_verbatim(name: str, value: str) -> str:
    """Return the header as written, folded only at its own spaces (which the syntax allows) to fit MAX_LINE."""
    if not value.isascii() or "\r" in value or "\n" in value:
        raise ValueError(f"the {name} header must be one line of ASCII")
    first, *rest = value.split(" ")
    lines = [f"{name}: {first}"]
    for word in rest:
        if len(lines[-1]) + 1 + len(word) > MAX_LINE:
            lines.append(" " + word)
        else:
            lines[-1] += " " + word
    if any(len(line) > MAX_LINE for line in lines):
        raise ValueError(f"the {name} header has a part longer than a mail line may be")
    return "\r\n".join(lines) + "\r\n"


class WirePolicy(EmailPolicy):
    """policy.SMTP, with the VERBATIM headers folded only where their syntax allows."""

    def fold(self, name: str, value: Any) -> str:
        """Fold a header for a text serialisation."""
        if name.lower() in VERBATIM:
            return fold_verbatim(name, str(value)).replace("\r\n", self.linesep)
        return super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        """Fold a header for the bytes that go out over SMTP."""
        if name.lower() in VERBATIM:
            return fold_verbatim(name, str(value)).replace("\r\n", self.linesep).encode("ascii")
        return super().fold_binary(name, value)


SMTP_WIRE = WirePolicy(linesep="\r\n")
