"""Statements every store module needs: insert a row once, insert or update it."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

_INSERT_ONCE: dict[tuple[Any, ...], Any] = {}


def _insert(dialect: str, table: Table) -> Any:
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"the store supports SQLite and PostgreSQL, not {dialect}")


def insert_once(connection: Connection, table: Table, values: dict[str, Any], keys: list[str]) -> bool:
    """Insert a row unless one with the same `keys` exists (Twilio retries a webhook). True if new.

    The statement is built once per table and backend and then only executed with new values:
    building it anew costs more than the insert itself on a webhook's hot path.
    """
    dialect = connection.dialect.name
    key = (dialect, table.name, tuple(keys))
    statement = _INSERT_ONCE.get(key)
    if statement is None:
        # RETURNING, not rowcount: with an implicit RETURNING, psycopg reports rowcount -1 (true)
        # for a row that was not inserted.
        statement = _INSERT_ONCE[key] = (_insert(dialect, table).on_conflict_do_nothing(index_elements=keys)
                                         .returning(*table.primary_key.columns))
    return connection.execute(statement, values).first() is not None


def upsert(connection: Connection, table: Table, values: dict[str, Any], keys: list[str],
           update: dict[str, Any], where: Any = None) -> None:
    """Insert the row, or when one with the same `keys` exists, set `update` on it (only where
    `where` holds, when given). `update` may refer to the new values as `excluded(table)`."""
    statement = _insert(connection.dialect.name, table).values(**values)
    connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=update, where=where))


def excluded(connection: Connection, table: Table) -> Any:
    """The row an upsert tried to insert, to refer to its values in `update` and `where`."""
    return _insert(connection.dialect.name, table).excluded


_UPSERTS: dict[tuple[Any, ...], Any] = {}


def upsert_many(connection: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str],
                columns: tuple[str, ...], only_if_earlier: str | None = None) -> None:
    """Insert the rows in one statement; a row whose `keys` exist sets `columns` to the new
    values, only where the new `only_if_earlier` column is earlier than the stored one, when
    given. The statement is built once per table and backend (building it costs more than the
    write itself)."""
    dialect = connection.dialect.name
    key = (dialect, table.name, tuple(keys), columns, only_if_earlier)
    statement = _UPSERTS.get(key)
    if statement is None:
        insert = _insert(dialect, table)
        new = insert.excluded
        where = table.c[only_if_earlier] > new[only_if_earlier] if only_if_earlier else None
        statement = _UPSERTS[key] = insert.on_conflict_do_update(
            index_elements=keys, set_={name: new[name] for name in columns}, where=where)
    connection.execute(statement, rows)
