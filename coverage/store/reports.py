"""What covering offices say back: a note on each contact they handled, briefings they read."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from coverage.store.sql import excluded, insert_once, upsert
from coverage.store.tables import acknowledgements, office_reports

NOTE_LENGTH = 1000


def report(connection: Connection, practice_id: str, office_id: str, kind: str, ref: str, note: str,
           at: datetime) -> None:
    """The office handled this contact (with a note, which it may change later)."""
    values = {"practice_id": practice_id, "office_id": office_id, "contact_kind": kind, "contact_ref": ref[:64],
              "note": note[:NOTE_LENGTH], "at": at}
    new = excluded(connection, office_reports)
    upsert(connection, office_reports, values, ["practice_id", "contact_kind", "contact_ref"],
           {"note": new.note, "at": new.at, "office_id": new.office_id})


def reports_of(connection: Connection, practice_id: str, refs: list[str]) -> dict[str, Row[Any]]:
    """The offices' reports on these contacts (by call or text SID)."""
    if not refs:
        return {}
    found: dict[str, Row[Any]] = {}
    for start in range(0, len(refs), 500):
        for row in connection.execute(select(office_reports).where(
                office_reports.c.practice_id == practice_id, office_reports.c.contact_ref.in_(refs[start:start + 500]))):
            found[row.contact_ref] = row
    return found


def acknowledge(connection: Connection, practice_id: str, office_id: str, period_key: str, version: str,
                by_name: str, at: datetime) -> bool:
    return insert_once(connection, acknowledgements, {
        "practice_id": practice_id, "office_id": office_id, "period_key": period_key[:300], "version": version,
        "by_name": by_name[:200], "at": at}, ["practice_id", "office_id", "period_key", "version"])


def acknowledgements_of(connection: Connection, practice_id: str) -> dict[tuple[str, str, str], Row[Any]]:
    """(office, period, version) → who read the briefing, and when."""
    return {(row.office_id, row.period_key, row.version): row for row in connection.execute(
        select(acknowledgements).where(acknowledgements.c.practice_id == practice_id))}
