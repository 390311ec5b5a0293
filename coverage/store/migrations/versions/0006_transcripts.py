"""Voicemails in words, and the urgent ones: the caller pressed 1, or words of the transcript.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("urgent", sa.String(300)))       # "pressed", or the words that mark it
        batch.add_column(sa.Column("urgent_told_at", sa.DateTime()))
    op.create_table(
        "transcripts",
        sa.Column("call_sid", sa.String(64), primary_key=True),
        sa.Column("practice_id", sa.String(64), nullable=False, index=True),
        sa.Column("recording_sid", sa.String(64), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("engine", sa.String(20), nullable=False),
        sa.Column("state", sa.String(12), nullable=False, index=True),   # pending, working, done, failed
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("provider_ref", sa.String(64)),                        # Twilio's transcript SID (GT…)
        sa.Column("text", sa.Text),
        sa.Column("last_error", sa.String(300)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("transcripts")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("urgent_told_at")
        batch.drop_column("urgent")
