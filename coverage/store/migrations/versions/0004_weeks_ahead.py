"""The coming weeks of each practice's schedule, beside the whole of it: what a webhook reads.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty for the snapshots already stored: webhooks read their whole schedule until the
    # worker stores them again (at its next read: the schedule's format changed with this).
    with op.batch_alter_table("snapshots") as table:
        table.add_column(sa.Column("near", sa.LargeBinary, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("snapshots") as table:
        table.drop_column("near")
