"""Outbound messages as stored: every text and email Relève sends is a row before it is sent.

A message is queued in the same transaction as what caused it. Sending it (routing.outbound) first
claims it here, for a lease that starts when that message is claimed, so two processes never send
it twice; a process that died mid-send leaves a claim that expires and the message is tried again.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Connection, Row

from coverage.store.sql import insert_once
from coverage.store.tables import DELIVERED, FAILED, OUTBOX, QUEUED, SENDING, SENT, messages, opt_outs

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)  # a message claimed by a process that died is tried again after this
_RANK = {QUEUED: 0, SENDING: 1, SENT: 2, OUTBOX: 2, DELIVERED: 3, FAILED: 3}


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min… up to an hour between tries."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))


def is_opted_out(connection: Connection, number: str) -> bool:
    return connection.execute(select(opt_outs.c.number).where(opt_outs.c.number == number)).first() is not None


def set_opted_out(connection: Connection, number: str, keyword: str, at: datetime, opted_out: bool) -> None:
    if opted_out:
        if not insert_once(connection, opt_outs, {"number": number, "keyword": keyword, "at": at}, ["number"]):
            connection.execute(update(opt_outs).where(opt_outs.c.number == number).values(keyword=keyword, at=at))
    else:
        connection.execute(opt_outs.delete().where(opt_outs.c.number == number))


def queue_sms(connection: Connection, *, practice_id: str, purpose: str, sender: str, to: str, body: str,
              at: datetime, dedupe_key: str | None = None, not_before: datetime | None = None) -> int | None:
    """Store an SMS to send (not before `not_before`, when given); None if the number opted out
    or `dedupe_key` was used already."""
    if is_opted_out(connection, to):
        logger.info("not texting a number that opted out (%s)", purpose)
        return None
    return _queue(connection, {"kind": "sms", "practice_id": practice_id, "purpose": purpose, "recipient": to,
                               "sender": sender, "body": body}, at, dedupe_key, not_before)


def queue_email(connection: Connection, *, practice_id: str, purpose: str, to: str, subject: str, text: str,
                html: str | None, at: datetime, dedupe_key: str | None = None) -> int | None:
    """Store an email to send; None if `dedupe_key` was used already."""
    return _queue(connection, {"kind": "email", "practice_id": practice_id, "purpose": purpose, "recipient": to,
                               "subject": subject[:300], "body": text, "html": html}, at, dedupe_key)


def _queue(connection: Connection, values: dict[str, Any], at: datetime, dedupe_key: str | None,
           not_before: datetime | None = None) -> int | None:
    first_try = not_before if not_before is not None and not_before.timestamp() > at.timestamp() else at
    row = {**values, "state": QUEUED, "attempts": 0, "next_attempt_at": first_try, "created_at": at,
           "updated_at": at, "dedupe_key": dedupe_key}
    if dedupe_key is None:
        inserted = connection.execute(messages.insert().values(**row)).inserted_primary_key
        assert inserted is not None
        return int(inserted[0])
    if not insert_once(connection, messages, row, ["dedupe_key"]):
        return None
    found: int = connection.execute(select(messages.c.id).where(messages.c.dedupe_key == dedupe_key)).scalar_one()
    return int(found)


def _is_due(now: datetime) -> Any:
    return or_((messages.c.state == QUEUED) & (messages.c.next_attempt_at <= now),
               (messages.c.state == SENDING) & (messages.c.claimed_until < now))


def due_ids(connection: Connection, now: datetime, limit: int = 100) -> list[int]:
    """Messages to send: queued and their time come, or claimed by a process that died."""
    return list(connection.execute(select(messages.c.id).where(_is_due(now)).order_by(messages.c.id)
                                   .limit(limit)).scalars().all())


def claim(connection: Connection, message_id: int, now: datetime) -> Row[Any] | None:
    """Take one message for sending, for LEASE from `now` (the moment of the claim); None when
    another process has it or it is no longer due."""
    claimed = connection.execute(update(messages).where(messages.c.id == message_id, _is_due(now)).values(
        state=SENDING, claimed_until=now + LEASE, updated_at=now)).rowcount
    if not claimed:
        return None
    return connection.execute(select(messages).where(messages.c.id == message_id)).one()


def record_refused_opt_out(connection: Connection, message_id: int, now: datetime) -> None:
    connection.execute(update(messages).where(messages.c.id == message_id).values(
        state=FAILED, last_error="the number opted out (STOP) after this was queued", error_code=21610,
        claimed_until=None, updated_at=now))


def record_sent(connection: Connection, message: Row[Any], state: str, provider_id: str | None,
                segments: int | None, now: datetime) -> None:
    connection.execute(update(messages).where(messages.c.id == message.id).values(
        state=state, provider_id=provider_id, segments=segments, attempts=message.attempts + 1,
        claimed_until=None, last_error=None, error_code=None, updated_at=now))


def record_failure(connection: Connection, message: Row[Any], error: str, code: int | None, permanent: bool,
                   now: datetime) -> bool:
    """Note a failed try; True when it was the last (permanent, or too many tries)."""
    attempts = message.attempts + 1
    final = permanent or attempts >= MAX_ATTEMPTS
    connection.execute(update(messages).where(messages.c.id == message.id).values(
        state=FAILED if final else QUEUED, attempts=attempts, claimed_until=None,
        next_attempt_at=now + backoff(attempts), last_error=error[:500], error_code=code, updated_at=now))
    if code == 21610 and message.kind == "sms":  # Twilio says this number opted out: remember it
        set_opted_out(connection, message.recipient, "21610", now, True)
    return final


def record_status(connection: Connection, provider_id: str, status: str, error_code: int | None,
                  at: datetime) -> bool:
    """Twilio's message status callback; False when the message is not ours."""
    state = {"delivered": DELIVERED, "undelivered": FAILED, "failed": FAILED}.get(status, SENT)
    message = connection.execute(select(messages.c.id, messages.c.state).where(
        messages.c.provider_id == provider_id)).first()
    if message is None:
        return False
    if _RANK.get(state, 0) >= _RANK.get(message.state, 0):
        values: dict[str, Any] = {"state": state, "updated_at": at}
        if state == FAILED:
            values.update(error_code=error_code, last_error=f"Twilio reports the SMS {status} (error {error_code})")
        connection.execute(update(messages).where(messages.c.id == message.id).values(**values))
    return True


def recent(connection: Connection, limit: int = 50, practice_id: str | None = None) -> list[Row[Any]]:
    query = select(messages).order_by(messages.c.id.desc()).limit(limit)
    if practice_id is not None:
        query = query.where(messages.c.practice_id == practice_id)
    return list(connection.execute(query))


def message(connection: Connection, message_id: int) -> Row[Any]:
    return connection.execute(select(messages).where(messages.c.id == message_id)).one()


def failing(connection: Connection, since: datetime) -> list[Row[Any]]:
    """Messages that failed since `since`, or that are being retried after a failure: per
    practice, how many, and the last error (the alerts read this)."""
    return list(connection.execute(
        select(messages.c.practice_id, func.count().label("count"), func.max(messages.c.last_error).label("error"))
        .where(or_((messages.c.state == FAILED) & (messages.c.updated_at >= since),
                   (messages.c.state == QUEUED) & (messages.c.attempts >= 3)),
               messages.c.purpose != "alert")
        .group_by(messages.c.practice_id)))
