"""Nothing a caller leaves is lost: longer caller fields, what the office pressed, recording SIDs
for deletion at Twilio, indexes for the retention job and the loop check, sign-in attempts.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.alter_column("caller", type_=sa.String(64), existing_type=sa.String(32), existing_nullable=False)
        batch.alter_column("called", type_=sa.String(64), existing_type=sa.String(32), existing_nullable=False)
        batch.add_column(sa.Column("recording_sid", sa.String(64)))
        batch.create_index("ix_calls_started_at", ["started_at"])
    with op.batch_alter_table("call_legs") as batch:
        batch.add_column(sa.Column("accepted_at", sa.DateTime()))
    with op.batch_alter_table("texts") as batch:
        batch.alter_column("sender", type_=sa.String(64), existing_type=sa.String(32), existing_nullable=False)
        batch.alter_column("called", type_=sa.String(64), existing_type=sa.String(32), existing_nullable=False)
        batch.create_index("ix_texts_sender_received", ["sender", "received_at"])
        batch.create_index("ix_texts_received_at", ["received_at"])
    with op.batch_alter_table("messages") as batch:
        batch.create_index("ix_messages_created_at", ["created_at"])
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_sign_in_attempts_key_at", "sign_in_attempts", ["key", "at"])
    op.create_table(
        "service_state",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("service_state")
    op.drop_index("ix_sign_in_attempts_key_at", "sign_in_attempts")
    op.drop_table("sign_in_attempts")
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_created_at")
    with op.batch_alter_table("texts") as batch:
        batch.drop_index("ix_texts_received_at")
        batch.drop_index("ix_texts_sender_received")
    with op.batch_alter_table("call_legs") as batch:
        batch.drop_column("accepted_at")
    with op.batch_alter_table("calls") as batch:
        batch.drop_index("ix_calls_started_at")
        batch.drop_column("recording_sid")
