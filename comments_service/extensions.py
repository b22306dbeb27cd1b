"""Flask extensions shared by the blueprints, created here and bound in create_app."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# Storage and defaults come from app.config (RATELIMIT_STORAGE_URI) at init_app.
limiter = Limiter(key_func=get_remote_address)
