"""a post's language and a moderator's

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    for table in ("threads", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("language", sa.String(length=35), nullable=False, server_default=""))


def downgrade() -> None:
    """Revert this revision."""
    for table in ("threads", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("language")
