"""The practice's own space: its users and sign-in links, callbacks ticked off, what covering
offices report, briefings acknowledged, "Fermer maintenant", alerts.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("practice_id", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(300)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("disabled_at", sa.DateTime()),
    )
    op.create_table(
        "sign_in_links",
        sa.Column("token_digest", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime()),
    )
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("patient", sa.String(32), nullable=False),
        sa.Column("covers_until", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.Column("done_by", sa.String(320), nullable=False),
        sa.Column("undone_at", sa.DateTime()),
        sa.Column("undone_by", sa.String(320)),
    )
    op.create_index("ix_callbacks_practice_patient", "callbacks", ["practice_id", "patient"])
    # The follow-up list's ticks become callbacks: one tick covers every contact before it.
    op.execute("INSERT INTO callbacks (practice_id, patient, covers_until, done_at, done_by) "
               "SELECT practice_id, patient, done_at, done_at, 'follow-up link' FROM follow_ups")
    op.drop_table("follow_ups")
    op.create_table(
        "office_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("contact_kind", sa.String(10), nullable=False),
        sa.Column("contact_ref", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("practice_id", "contact_kind", "contact_ref"),
    )
    op.create_table(
        "acknowledgements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("office_id", sa.String(64), nullable=False),
        sa.Column("period_key", sa.String(300), nullable=False),
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("by_name", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("practice_id", "office_id", "period_key", "version"),
    )
    op.create_table(
        "closed_now",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("chain", sa.String(500), nullable=False),
        sa.Column("set_by", sa.String(320), nullable=False),
        sa.Column("ended_early_at", sa.DateTime()),
        sa.Column("ended_by", sa.String(320)),
    )
    op.create_index("ix_closed_now_ends_at", "closed_now", ["ends_at"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime()),
    )
    op.create_index("ix_alerts_practice_key", "alerts", ["practice_id", "key"])


def downgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("period_key", sa.String(300), nullable=False),
        sa.Column("patient", sa.String(32), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("practice_id", "period_key", "patient"),
    )
    for name in ("alerts", "closed_now", "acknowledgements", "office_reports", "callbacks", "sign_in_links", "users"):
        op.drop_table(name)
