"""The contacts of a practice over a span, and the patients ticked off as called back."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, literal, or_, select, update
from sqlalchemy.engine import Connection, Row

from coverage.store.tables import VOICEMAIL, callbacks, calls, texts


def calls_between(connection: Connection, practice_id: str, start: datetime, end: datetime,
                  office_id: str | None = None, caller: str | None = None) -> list[Row[Any]]:
    query = select(calls).where(calls.c.practice_id == practice_id, calls.c.started_at >= start,
                                calls.c.started_at < end)
    if office_id is not None:
        # What the office took, and the voicemails left after its chain was tried.
        escaped = office_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        in_chain = (literal(",") + calls.c.chain + literal(",")).like(f"%,{escaped},%", escape="\\")
        query = query.where(or_(calls.c.office_id == office_id, and_(calls.c.outcome == VOICEMAIL, in_chain)))
    if caller is not None:
        query = query.where(calls.c.caller == caller)
    return list(connection.execute(query))


def texts_between(connection: Connection, practice_id: str, start: datetime, end: datetime,
                  office_id: str | None = None, sender: str | None = None) -> list[Row[Any]]:
    query = select(texts).where(texts.c.practice_id == practice_id, texts.c.received_at >= start,
                                texts.c.received_at < end)
    if office_id is not None:
        query = query.where(texts.c.office_id == office_id)
    if sender is not None:
        query = query.where(texts.c.sender == sender)
    return list(connection.execute(query))


def call_row(connection: Connection, practice_id: str, call_sid: str) -> Row[Any] | None:
    """One call of one practice (another practice's call is None, as an unknown one)."""
    return connection.execute(select(calls).where(calls.c.practice_id == practice_id,
                                                  calls.c.call_sid == call_sid)).first()


def ticks(connection: Connection, practice_id: str, patients: list[str] | None = None) -> list[Row[Any]]:
    """The practice's ticks that were not undone, oldest first (of some patients only, when given)."""
    query = select(callbacks).where(callbacks.c.practice_id == practice_id, callbacks.c.undone_at.is_(None))
    if patients is not None:
        query = query.where(callbacks.c.patient.in_(patients))
    return list(connection.execute(query.order_by(callbacks.c.id)))


def tick(connection: Connection, practice_id: str, patient: str, covers_until: datetime, at: datetime,
         by: str) -> None:
    connection.execute(callbacks.insert().values(practice_id=practice_id, patient=patient[:32],
                                                 covers_until=covers_until, done_at=at, done_by=by[:320]))


def untick(connection: Connection, practice_id: str, patient: str, at: datetime, by: str) -> int:
    """Undo every tick of the patient still standing: they are back on the list."""
    return int(connection.execute(update(callbacks).where(
        callbacks.c.practice_id == practice_id, callbacks.c.patient == patient, callbacks.c.undone_at.is_(None))
        .values(undone_at=at, undone_by=by[:320])).rowcount)


def voicemails_since(connection: Connection, practice_id: str, since: datetime) -> list[Row[Any]]:
    """The practice's voicemails left since `since` (their call's SID, time, whether it was open)."""
    return list(connection.execute(select(calls.c.call_sid, calls.c.started_at, calls.c.was_open,
                                          calls.c.caller, calls.c.recording_seconds).where(
        calls.c.practice_id == practice_id, calls.c.started_at >= since, calls.c.recording_url.is_not(None))
        .order_by(calls.c.started_at)))
