"""The retention job: what is older than the retention period is deleted, here and at Twilio.

Run daily by the worker. A recording, and its transcript when Twilio made one, are deleted at
Twilio before its call's row goes: when
Twilio cannot be reached, the call stays until the next run, so no recording is ever left at
Twilio with nothing here pointing at it.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from coverage.store import Store, retention, transcripts
from routing.transports import RecordingStore, TransportError

logger = logging.getLogger(__name__)


def run_retention(store: Store, recordings: RecordingStore, period: timedelta, now: datetime) -> retention.Deleted:
    """Delete everything older than `period`; returns how much went."""
    before = now - period
    with store.begin() as connection:
        expiring = retention.recordings_to_delete(connection, before)
    deleted_at_twilio = failed = 0
    for call_sid, sid in expiring:
        try:
            with store.begin() as connection:
                transcript = transcripts.provider_ref(connection, call_sid)
            if transcript is not None:
                recordings.delete_transcript(transcript)
            if sid is not None and recordings.delete_recording(sid):
                deleted_at_twilio += 1
        except TransportError as exc:
            failed += 1
            logger.warning("retention: a recording stays until the next run: %s", exc.message)
            continue
        with store.begin() as connection:
            retention.forget_recording(connection, call_sid)
    with store.begin() as connection:
        deleted = retention.delete_expired(connection, before, now)
    logger.info("retention: deleted %d call(s), %d text(s), %d message(s) and %d other row(s) older than %d days; "
                "%d recording(s) deleted at Twilio%s", deleted.calls, deleted.texts, deleted.messages, deleted.other,
                period.days, deleted_at_twilio, f", {failed} left for the next run" if failed else "")
    return deleted
