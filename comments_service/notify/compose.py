"""Build the email for an outbox row, so no field can add a header or a recipient."""

from __future__ import annotations

from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..store.models import OutboxMessage
from ..text.mail_address import mailbox
from .wire import SMTP_WIRE

SUBJECT_MAX = 200


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """Collapse every run of whitespace (line breaks included) to one space and cap the length."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def compose(message: OutboxMessage, sender: str) -> EmailMessage:
    """Return the email for an outbox row; raises ValueError for a recipient that is not one plain mailbox."""
    recipient = mailbox(message.recipient)
    if recipient is None:
        raise ValueError(f"not a deliverable address: {message.recipient!r}")
    # SMTP's policy refuses CR or LF in any header value, and encodes non-ASCII text as RFC 2047 words
    # (except in the list headers, whose syntax has no room for them: see wire.py).
    email = EmailMessage(policy=SMTP_WIRE)
    email["From"] = sender
    email["To"] = recipient
    email["Subject"] = one_line(message.subject)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"kiln.{message.id}", domain=_domain(sender))
    # RFC 3834: automatic mail, so vacation responders keep quiet.
    email["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url:
        # RFC 2919 and 8058: reply notifications are a list a reader left; clients offer a one-click way out.
        if (domain := _domain(sender)).isascii():
            email["List-Id"] = f"<replies.{domain}>"
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable keeps the body 7-bit, so it travels through servers without 8BITMIME too.
    email.set_content(message.body, cte="quoted-printable")
    return email


def envelope_sender(sender: str) -> str:
    """Return the bare address of the From header, for the SMTP envelope."""
    email = EmailMessage(policy=policy.SMTP)
    email["From"] = sender
    addresses: tuple[Address, ...] = email["From"].addresses
    return addresses[0].addr_spec if addresses else sender


def _domain(sender: str) -> str:
    return envelope_sender(sender).rpartition("@")[2] or "localhost"
