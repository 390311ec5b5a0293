"""What the worker read, stored for the web processes: a snapshot per practice (its settings,
schedule and calendars' status), and the directory (every practice's numbers and version, the
offices' numbers, the service settings), with a generation that changes with it."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.engine import Connection

from coverage.store.sql import excluded, upsert
from coverage.store.tables import service_state, snapshots


@dataclass(frozen=True)
class Snapshot:
    practice_id: str
    version: str
    inputs: str
    settings: str
    schedule: bytes
    status: str
    built_at: datetime
    near: bytes | None = None    # the coming weeks of the schedule; None when stored before them


@dataclass(frozen=True)
class NearSnapshot:
    """What a webhook reads: a snapshot without its whole schedule (None when none was stored)."""

    practice_id: str
    version: str
    settings: str
    near: bytes | None
    status: str


def versions(connection: Connection) -> dict[str, tuple[str, str]]:
    """practice id -> (version, inputs) of every stored snapshot."""
    return {row.practice_id: (row.version, row.inputs)
            for row in connection.execute(select(snapshots.c.practice_id, snapshots.c.version, snapshots.c.inputs))}


def save(connection: Connection, snapshot: Snapshot) -> None:
    values = {"practice_id": snapshot.practice_id, "version": snapshot.version, "inputs": snapshot.inputs,
              "settings": snapshot.settings, "schedule": snapshot.schedule, "status": snapshot.status,
              "built_at": snapshot.built_at, "near": snapshot.near}
    new = excluded(connection, snapshots)
    upsert(connection, snapshots, values, ["practice_id"],
           {name: new[name] for name in ("version", "inputs", "settings", "schedule", "status", "built_at", "near")})


def remove(connection: Connection, practice_ids: list[str]) -> None:
    if practice_ids:
        connection.execute(delete(snapshots).where(snapshots.c.practice_id.in_(practice_ids)))


def load(connection: Connection, practice_id: str) -> Snapshot | None:
    row = connection.execute(select(snapshots).where(snapshots.c.practice_id == practice_id)).first()
    return Snapshot(**row._mapping) if row is not None else None


# Built once: a webhook runs it at each practice it does not hold yet.
_LOAD_NEAR = (select(snapshots.c.practice_id, snapshots.c.version, snapshots.c.settings, snapshots.c.near,
                     snapshots.c.status).where(snapshots.c.practice_id == bindparam("practice_id")))


def load_near(connection: Connection, practice_id: str) -> NearSnapshot | None:
    row = connection.execute(_LOAD_NEAR, {"practice_id": practice_id}).first()
    return NearSnapshot(row[0], row[1], row[2], row[3], row[4]) if row is not None else None


def load_all(connection: Connection) -> Iterator[Snapshot]:
    for row in connection.execute(select(snapshots).order_by(snapshots.c.practice_id)):
        yield Snapshot(**row._mapping)


def get_state(connection: Connection, name: str) -> str | None:
    return connection.execute(select(service_state.c.value).where(service_state.c.name == name)).scalar()


def set_state(connection: Connection, name: str, value: str, at: datetime) -> None:
    new = excluded(connection, service_state)
    upsert(connection, service_state, {"name": name, "value": value, "updated_at": at}, ["name"],
           {"value": new.value, "updated_at": new.updated_at})


def write_directory(connection: Connection, directory: dict[str, Any], at: datetime) -> int:
    """Store the directory when it changed; its generation (what web processes watch)."""
    text = json.dumps(directory, ensure_ascii=False, sort_keys=True)
    generation = int(get_state(connection, "directory_generation") or 0)
    if text != get_state(connection, "directory"):
        generation += 1
        set_state(connection, "directory", text, at)
        set_state(connection, "directory_generation", str(generation), at)
    return generation


def generation(connection: Connection) -> int:
    return int(get_state(connection, "directory_generation") or 0)


def read_directory(connection: Connection) -> tuple[int, dict[str, Any] | None]:
    text = get_state(connection, "directory")
    return generation(connection), (json.loads(text) if text else None)
