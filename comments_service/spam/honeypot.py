"""Honeypot: a form field people never see or fill, which form-filling bots do fill."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from ..language.speaking import N_
from .reasons import Reason
from .verdict import Action, Candidate, Verdict

# The name of the hidden field in theme/templates/kiln/form.html: a plausible
# name, so a bot that fills every field it finds fills this one too.
FIELD = "homepage"


def check(candidate: Candidate, connection: Connection, config: Mapping[str, Any]) -> Verdict | None:
    """Mark a submission whose hidden field is filled as spam (the sender is answered as usual)."""
    # Stored, not dropped: a person whose browser filled the field by autofill is
    # then still in the spam folder, where a moderator can approve them.
    if candidate.honeypot.strip():
        return Verdict(Action.SPAM, Reason(N_("the hidden honeypot field was filled in")))
    return None
