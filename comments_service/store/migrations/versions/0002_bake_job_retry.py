"""a failed bake waits before its next attempt

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 20:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("bake_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("bake_jobs", schema=None) as batch_op:
        batch_op.drop_column("next_attempt")
