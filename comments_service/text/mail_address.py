"""Email addresses Kiln will write to: exactly one plain mailbox, nothing that could smuggle a header."""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address


def mailbox(value: str) -> Address | None:
    """Return value as one ASCII addr-spec, or None if it is a list, has a name, a comment or a line break."""
    if not value.isascii():
        # Non-ASCII addresses need SMTPUTF8, which many servers lack; refusing them keeps delivery predictable.
        return None
    try:
        address = Address(addr_spec=value)
    except (ValueError, HeaderParseError, IndexError):
        # IndexError: the standard library's parser trips over some cut-off addresses ("a@") instead of refusing them.
        return None
    # The parser drops comments such as "a@b.c (x)"; only an address that survives whole is accepted.
    return address if address.addr_spec == value and "." in address.domain else None
