"""The contacts of a practice over a span, for follow-up lists, and the patients ticked off."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from coverage.store.sql import insert_once
from coverage.store.tables import calls, follow_ups, texts


def calls_between(connection: Connection, practice_id: str, start: datetime, end: datetime,
                  office_id: str | None = None) -> list[Row[Any]]:
    query = select(calls).where(calls.c.practice_id == practice_id, calls.c.started_at >= start,
                                calls.c.started_at < end)
    if office_id is not None:
        query = query.where(calls.c.office_id == office_id)
    return list(connection.execute(query))


def texts_between(connection: Connection, practice_id: str, start: datetime, end: datetime,
                  office_id: str | None = None) -> list[Row[Any]]:
    query = select(texts).where(texts.c.practice_id == practice_id, texts.c.received_at >= start,
                                texts.c.received_at < end)
    if office_id is not None:
        query = query.where(texts.c.office_id == office_id)
    return list(connection.execute(query))


def done_at(connection: Connection, practice_id: str, period_key: str) -> dict[str, datetime]:
    """When each patient of the list was ticked off."""
    return {row.patient: row.done_at for row in connection.execute(select(follow_ups).where(
        follow_ups.c.practice_id == practice_id, follow_ups.c.period_key == period_key))}


def mark_done(connection: Connection, practice_id: str, period_key: str, patient: str, at: datetime) -> None:
    insert_once(connection, follow_ups, {"practice_id": practice_id, "period_key": period_key, "patient": patient,
                                         "done_at": at}, ["practice_id", "period_key", "patient"])
