"""Storage: SQLite by default, any SQLAlchemy URL (PostgreSQL for several web processes).

SQLAlchemy Core, not the ORM: the webhooks write one or two rows per request and must stay fast.
Every table is declared on `metadata`, in the module of the package that owns it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

metadata = MetaData()


def database_url(data_dir: str | Path) -> str:
    """RELEVE_DATABASE_URL, or a SQLite file in the data folder."""
    return os.environ.get("RELEVE_DATABASE_URL") or f"sqlite:///{Path(data_dir) / 'releve.sqlite3'}"


def make_engine(url: str) -> Engine:
    """An engine with the settings each backend needs; creates the tables that are missing."""
    options: dict[str, Any] = {}
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            options["poolclass"] = StaticPool  # one in-memory database shared by all threads
        else:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"check_same_thread": False, "timeout": 10}
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    with engine.connect() as connection:
        if url.startswith("sqlite"):
            # The web app and the scheduler often start together on a new database: one process
            # checks and creates the tables while the other waits, rather than both checking and
            # then both creating ("table calls already exists").
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        metadata.create_all(connection)
        connection.commit()
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets the scheduler and the web processes read while one writes; NORMAL syncs at each
    # checkpoint rather than each commit, which WAL makes safe against corruption (a power cut
    # may lose the last commits, never the database).
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_INSERT_ONCE: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def insert_once(connection: Connection, table: Table, values: dict[str, Any], keys: list[str]) -> bool:
    """Insert a row unless one with the same `keys` exists (Twilio retries a webhook). True if new.

    The statement is built once per table and backend and then only executed with new values:
    building it anew costs more than the insert itself on a webhook's hot path.
    """
    dialect = connection.dialect.name
    key = (dialect, table.name, tuple(keys))
    statement = _INSERT_ONCE.get(key)
    if statement is None:
        if dialect == "sqlite":
            statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)
        elif dialect == "postgresql":
            statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
        else:  # pragma: no cover - other backends are not supported
            raise NotImplementedError(f"insert_once on {dialect}")
        _INSERT_ONCE[key] = statement
    return bool(connection.execute(statement, values).rowcount)
