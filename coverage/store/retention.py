"""What Relève keeps, it deletes after the retention period (`service.retention_days`).

Calls and their legs, voicemail references, texts, sent messages, notices and ticked-off
patients older than the period are deleted. A voicemail's recording lives at Twilio: it is
deleted there first (routing.retention), and the call's row only once that succeeded, so no
recording is ever left at Twilio with nothing here pointing at it. Opt-outs are kept: forgetting
one would text a person who asked not to be texted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, select, update
from sqlalchemy.engine import Connection

from coverage.store.tables import (
    DELIVERED,
    FAILED,
    OUTBOX,
    SENT,
    acknowledgements,
    alerts,
    call_legs,
    callbacks,
    calls,
    closed_now,
    messages,
    notices,
    office_reports,
    sign_in_attempts,
    sign_in_links,
    texts,
    transcripts,
)

SIGN_IN_KEPT = timedelta(days=30)
_RECORDING_SID = re.compile(r"/Recordings/(RE[0-9a-fA-F]{32})")


@dataclass(frozen=True)
class Deleted:
    """How many rows of each kind a run deleted."""

    calls: int = 0
    texts: int = 0
    messages: int = 0
    other: int = 0


def recording_sid(url: str | None, sid: str | None) -> str | None:
    """The recording's SID: kept since migration 0002, else read from its address."""
    if sid:
        return sid
    match = _RECORDING_SID.search(url or "")
    return match.group(1) if match else None


def recordings_to_delete(connection: Connection, before: datetime, limit: int = 500) -> list[tuple[str, str | None]]:
    """(call SID, recording SID) of expired calls whose recording is still referenced."""
    rows = connection.execute(select(calls.c.call_sid, calls.c.recording_url, calls.c.recording_sid).where(
        calls.c.started_at < before, calls.c.recording_url.is_not(None)).order_by(calls.c.id).limit(limit))
    return [(row.call_sid, recording_sid(row.recording_url, row.recording_sid)) for row in rows]


def forget_recording(connection: Connection, call_sid: str) -> None:
    """The recording is gone at Twilio: the call no longer points at it."""
    connection.execute(update(calls).where(calls.c.call_sid == call_sid).values(recording_url=None,
                                                                                recording_sid=None))


def delete_expired(connection: Connection, before: datetime, now: datetime) -> Deleted:
    """Delete what came before `before`, except calls whose recording is still at Twilio."""
    expired_calls = select(calls.c.call_sid).where(calls.c.started_at < before, calls.c.recording_url.is_(None))
    legs = connection.execute(delete(call_legs).where(call_legs.c.call_sid.in_(expired_calls))).rowcount
    # A voicemail's transcript goes with its call (and any left without one, after the period).
    legs += connection.execute(delete(transcripts).where(transcripts.c.call_sid.in_(expired_calls))).rowcount
    legs += connection.execute(delete(transcripts).where(transcripts.c.created_at < before,
                                                         transcripts.c.call_sid.not_in(select(calls.c.call_sid)))).rowcount
    legs += connection.execute(delete(call_legs).where(
        call_legs.c.created_at < before, call_legs.c.call_sid.not_in(select(calls.c.call_sid)))).rowcount
    removed_calls = connection.execute(delete(calls).where(calls.c.started_at < before,
                                                           calls.c.recording_url.is_(None))).rowcount
    removed_texts = connection.execute(delete(texts).where(texts.c.received_at < before)).rowcount
    # Messages still queued or being sent are not history yet; everything else of that age goes.
    removed_messages = connection.execute(delete(messages).where(and_(
        messages.c.created_at < before, messages.c.state.in_((SENT, DELIVERED, FAILED, OUTBOX))))).rowcount
    other = connection.execute(delete(notices).where(notices.c.period_end < before)).rowcount
    other += connection.execute(delete(callbacks).where(callbacks.c.done_at < before)).rowcount
    other += connection.execute(delete(office_reports).where(office_reports.c.at < before)).rowcount
    other += connection.execute(delete(acknowledgements).where(acknowledgements.c.at < before)).rowcount
    other += connection.execute(delete(closed_now).where(closed_now.c.ends_at < before)).rowcount
    other += connection.execute(delete(alerts).where(alerts.c.resolved_at < before)).rowcount
    other += connection.execute(delete(sign_in_links).where(sign_in_links.c.expires_at < now)).rowcount
    other += connection.execute(delete(sign_in_attempts).where(sign_in_attempts.c.at < now - SIGN_IN_KEPT)).rowcount
    return Deleted(removed_calls, removed_texts, removed_messages, other + legs)
