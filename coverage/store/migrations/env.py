"""Alembic's entry point. Relève runs migrations itself (`flask --app app db upgrade`, or at the
first use of a database); both hand the connection in, so this file never opens one of its own."""
from __future__ import annotations

from alembic import context

from coverage.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `flask --app app db upgrade`, which passes the connection")

# render_as_batch: SQLite cannot ALTER most things; Alembic then copies the table instead.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
