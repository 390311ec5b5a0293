"""Voicemails in words, and the possibly urgent ones: the rows the transcription job and the
urgent texts share (tables `transcripts`, and `calls.urgent`). Persistence only."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from coverage.store.tables import VOICEMAIL, calls, transcripts

PENDING, WORKING, DONE, FAILED = "pending", "working", "done", "failed"


def call_row(connection: Connection, call_sid: str) -> Row[Any] | None:
    return connection.execute(select(calls).where(calls.c.call_sid == call_sid)).first()


def mark_urgent(connection: Connection, call_sid: str, why: str) -> bool:
    """Flag a voicemail as possibly urgent (a caller's 1 is kept over words); True when it was not."""
    done = connection.execute(update(calls).where(calls.c.call_sid == call_sid, calls.c.urgent.is_(None))
                              .values(urgent=why[:300]))
    return bool(done.rowcount)


def mark_told(connection: Connection, call_sid: str, at: datetime) -> None:
    connection.execute(update(calls).where(calls.c.call_sid == call_sid).values(urgent_told_at=at))


def untold_urgent(connection: Connection, since: datetime, limit: int = 50) -> list[str]:
    """Possibly urgent voicemails nobody was told of yet (left while the database was down)."""
    rows = connection.execute(select(calls.c.call_sid).where(calls.c.urgent.is_not(None),
                                                              calls.c.urgent_told_at.is_(None),
                                                              calls.c.started_at >= since).limit(limit))
    return [row.call_sid for row in rows]


def untranscribed(connection: Connection, since: datetime, limit: int = 50) -> list[Row[Any]]:
    """Voicemails with a recording and no transcript row yet, oldest first."""
    query = (select(calls.c.call_sid, calls.c.practice_id, calls.c.recording_sid)
             .select_from(calls.outerjoin(transcripts, transcripts.c.call_sid == calls.c.call_sid))
             .where(calls.c.outcome == VOICEMAIL, calls.c.recording_sid.is_not(None), calls.c.started_at >= since,
                    transcripts.c.call_sid.is_(None))
             .order_by(calls.c.started_at).limit(limit))
    return list(connection.execute(query))


def add(connection: Connection, call_sid: str, practice_id: str, recording_sid: str, language: str, engine: str,
        at: datetime) -> None:
    connection.execute(insert(transcripts).values(
        call_sid=call_sid, practice_id=practice_id, recording_sid=recording_sid, language=language, engine=engine,
        state=PENDING, attempts=0, next_attempt_at=at, created_at=at, updated_at=at))


def due(connection: Connection, at: datetime, limit: int = 20) -> list[Row[Any]]:
    """Transcriptions to start or to look at again now."""
    return list(connection.execute(select(transcripts).where(transcripts.c.state.in_((PENDING, WORKING)),
                                                             transcripts.c.next_attempt_at <= at)
                                   .order_by(transcripts.c.next_attempt_at).limit(limit)))


def update_row(connection: Connection, call_sid: str, at: datetime, **values: Any) -> None:
    connection.execute(update(transcripts).where(transcripts.c.call_sid == call_sid).values(updated_at=at, **values))


def of_calls(connection: Connection, call_sids: list[str]) -> dict[str, tuple[str | None, bool]]:
    """Each voicemail's transcript, if finished, and whether one is on its way."""
    if not call_sids:
        return {}
    rows = connection.execute(select(transcripts.c.call_sid, transcripts.c.text, transcripts.c.state)
                              .where(transcripts.c.call_sid.in_(call_sids)))
    return {row.call_sid: (row.text if row.state == DONE else None, row.state in (PENDING, WORKING)) for row in rows}


def provider_ref(connection: Connection, call_sid: str) -> str | None:
    """Twilio's transcript of a call's voicemail, deleted at Twilio with its recording."""
    return connection.execute(select(transcripts.c.provider_ref).where(transcripts.c.call_sid == call_sid)).scalar()
