"""Flask extensions shared by the blueprints (bound in create_app), and each request's database session."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from .store.database import database

csrf = CSRFProtect()


def _public_limit() -> str:
    return str(current_app.config["PUBLIC_RATE_LIMIT"])


# Storage comes from app.config (RATELIMIT_STORAGE_URI) at init_app. Every
# endpoint without a limit of its own gets PUBLIC_RATE_LIMIT per address.
limiter = Limiter(key_func=get_remote_address, default_limits=[_public_limit])


def db() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = database(current_app.config["DATABASE_URL"]).session()
    session: Session = g.db_session
    return session


# Core reads want no session: opening and closing one cost more than a reader's query.
def db_connection() -> Connection:
    """Return this request's connection for Core reads, opening it on first use."""
    if "db_connection" not in g:
        g.db_connection = database(current_app.config["DATABASE_URL"]).connect()
    connection: Connection = g.db_connection
    return connection


def _close_request_database(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
    connection = g.pop("db_connection", None)
    if connection is not None:
        connection.close()


def init_request_database(app: Flask) -> None:
    """Close each request's session and connection when the request ends."""
    app.teardown_appcontext(_close_request_database)
