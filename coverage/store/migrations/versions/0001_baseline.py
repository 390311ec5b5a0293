"""The schema of the release before migrations (it made its tables with create_all).

Revision ID: 0001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_sid", sa.String(64), nullable=False, unique=True),
        sa.Column("practice_id", sa.String(64), nullable=False, index=True),
        sa.Column("caller", sa.String(32), nullable=False),
        sa.Column("called", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("was_open", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(300)),
        sa.Column("chain", sa.String(500), nullable=False),
        sa.Column("outcome", sa.String(20)),
        sa.Column("office_id", sa.String(64)),
        sa.Column("recording_url", sa.String(500)),
        sa.Column("recording_seconds", sa.Integer),
        sa.Column("status", sa.String(20)),
        sa.Column("duration_seconds", sa.Integer),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "call_legs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("number", sa.String(200), nullable=False),
        sa.Column("dial_call_sid", sa.String(64)),
        sa.Column("status", sa.String(20)),
        sa.Column("duration_seconds", sa.Integer),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("call_sid", "step"),
    )
    op.create_table(
        "texts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_sid", sa.String(64), nullable=False, unique=True),
        sa.Column("practice_id", sa.String(64), nullable=False, index=True),
        sa.Column("sender", sa.String(32), nullable=False),
        sa.Column("called", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("media", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("was_open", sa.Boolean),
        sa.Column("reason", sa.String(300)),
        sa.Column("handling", sa.String(20)),
        sa.Column("forwarded_to", sa.String(320)),
        sa.Column("office_id", sa.String(64)),
        sa.Column("replied", sa.Boolean, nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("practice_id", sa.String(64), nullable=False, index=True),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("sender", sa.String(32)),
        sa.Column("subject", sa.String(300)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("html", sa.Text),
        sa.Column("state", sa.String(12), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_until", sa.DateTime()),
        sa.Column("last_error", sa.String(500)),
        sa.Column("error_code", sa.Integer),
        sa.Column("provider_id", sa.String(200), unique=True),
        sa.Column("segments", sa.Integer),
        sa.Column("dedupe_key", sa.String(300), unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "opt_outs",
        sa.Column("number", sa.String(32), primary_key=True),
        sa.Column("keyword", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("period_key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("period_start", sa.DateTime(), nullable=False),
        sa.Column("period_end", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("message_id", sa.Integer),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("practice_id", "office_id", "period_key", "kind", "slot"),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("period_key", sa.String(300), nullable=False),
        sa.Column("patient", sa.String(32), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("practice_id", "period_key", "patient"),
    )


def downgrade() -> None:
    for table in ("follow_ups", "notices", "opt_outs", "messages", "texts", "call_legs", "calls"):
        op.drop_table(table)
