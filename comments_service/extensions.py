"""Flask extensions shared by the blueprints, created here and bound in create_app."""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def _public_limit() -> str:
    return str(current_app.config["PUBLIC_RATE_LIMIT"])


# Storage comes from app.config (RATELIMIT_STORAGE_URI) at init_app. Every
# endpoint without a limit of its own gets PUBLIC_RATE_LIMIT per address.
limiter = Limiter(key_func=get_remote_address, default_limits=[_public_limit])
