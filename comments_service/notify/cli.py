"""`flask --app comments_service send-mail`: send the outbox's due messages once."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..store.database import database
from ..store.outbox import count_waiting
from .mailconf import mail_enabled
from .sender import drain


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send every due message in the outbox once (the service's sender thread does this continually)."""
    config = current_app.config
    if not mail_enabled(config):
        raise click.ClickException("Email is off: set MAIL_HOST, MAIL_FROM and SITE_URL.")
    try:
        result = drain(config)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    with database(config["DATABASE_URL"]).transaction() as session:
        waiting = count_waiting(session, int(config["MAIL_MAX_ATTEMPTS"]))
    click.echo(f"Sent {result.sent}, failed {result.failed}; {waiting} message(s) waiting to be sent.")
