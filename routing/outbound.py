"""Outbound messages: every notice, reply and forward goes through here.

A message is stored (state "queued") before anything is sent, in the same transaction as what
caused it. Delivery claims it atomically, so two processes never send it twice; a temporary
failure is tried again with backoff; a permanent one (opted out, invalid number) is not, and
stays visible. After a restart, `deliver_due` picks up whatever was queued or left half-sent.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Engine, Integer, String, Table, Text, or_, select, update
from sqlalchemy.engine import Connection, Row

from coverage.contacts import UTCDateTime
from coverage.database import insert_once, metadata
from routing.transports import EmailTransport, SmsTransport, TransportError

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)  # a message claimed by a process that died is tried again after this

# States, in the order a message goes through them; a late status callback never moves it back.
QUEUED, SENDING, SENT, DELIVERED, FAILED, OUTBOX = "queued", "sending", "sent", "delivered", "failed", "outbox"
_RANK = {QUEUED: 0, SENDING: 1, SENT: 2, OUTBOX: 2, DELIVERED: 3, FAILED: 3}

messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),          # "sms" or "email"
    Column("practice_id", String(64), nullable=False, index=True),
    Column("purpose", String(40), nullable=False),       # "auto_reply", "forward", "text_back", …
    Column("recipient", String(320), nullable=False),
    Column("sender", String(32)),                        # the practice's Twilio number, for SMS
    Column("subject", String(300)),
    Column("body", Text, nullable=False),
    Column("html", Text),
    Column("state", String(12), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_until", UTCDateTime()),
    Column("last_error", String(500)),
    Column("error_code", Integer),
    Column("provider_id", String(200), unique=True),     # Twilio's message SID
    Column("segments", Integer),
    Column("dedupe_key", String(300), unique=True),      # at most one message per key, ever
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Numbers that texted STOP (or ARRET…): nothing is sent to them until they text START.
opt_outs = Table(
    "opt_outs", metadata,
    Column("number", String(32), primary_key=True),
    Column("keyword", String(20), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)


@dataclass(frozen=True)
class Transports:
    sms: SmsTransport
    email: EmailTransport
    status_callback: str | None = None  # the public URL of /twilio/sms/status, when known


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
        logger.info("not texting %s (%s): the number opted out", to, purpose)
        return None
    return _queue(connection, {"kind": "sms", "practice_id": practice_id, "purpose": purpose, "recipient": to,
                               "sender": sender, "body": body}, at, dedupe_key, not_before)


def queue_email(connection: Connection, *, practice_id: str, purpose: str, to: str, subject: str, text: str,
                html: str | None, at: datetime, dedupe_key: str | None = None) -> int | None:
    """Store an email to send; None if `dedupe_key` was used already."""
    return _queue(connection, {"kind": "email", "practice_id": practice_id, "purpose": purpose, "recipient": to,
                               "subject": subject, "body": text, "html": html}, at, dedupe_key)


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


def deliver_due(engine: Engine, transports: Transports, now: datetime, limit: int = 100) -> int:
    """Send what is due: queued and its time come, or claimed by a process that died. Returns how many."""
    with engine.begin() as connection:
        due: list[int] = list(connection.execute(select(messages.c.id).where(or_(
            (messages.c.state == QUEUED) & (messages.c.next_attempt_at <= now),
            (messages.c.state == SENDING) & (messages.c.claimed_until < now),
        )).order_by(messages.c.id).limit(limit)).scalars().all())
    return sum(deliver(engine, transports, message_id, now) for message_id in due)


def deliver(engine: Engine, transports: Transports, message_id: int, now: datetime) -> bool:
    """Try to send one message, if no other process has it. True if this call handled it."""
    with engine.begin() as connection:
        claimed = connection.execute(update(messages).where(messages.c.id == message_id, or_(
            (messages.c.state == QUEUED) & (messages.c.next_attempt_at <= now),
            (messages.c.state == SENDING) & (messages.c.claimed_until < now),
        )).values(state=SENDING, claimed_until=now + LEASE, updated_at=now)).rowcount
        if not claimed:
            return False
        message = connection.execute(select(messages).where(messages.c.id == message_id)).one()
        if message.kind == "sms" and is_opted_out(connection, message.recipient):
            connection.execute(update(messages).where(messages.c.id == message_id).values(
                state=FAILED, last_error="the number opted out (STOP) after this was queued", error_code=21610,
                updated_at=now))
            return True
    # Outside any transaction: the provider may take seconds, and nothing is locked meanwhile.
    try:
        if message.kind == "sms":
            sent = transports.sms.send_sms(message.sender, message.recipient, message.body, transports.status_callback)
        else:
            sent = transports.email.send_email(message.recipient, message.subject or "", message.body, message.html)
    except TransportError as exc:
        _record_failure(engine, message, exc, now)
        return True
    with engine.begin() as connection:
        connection.execute(update(messages).where(messages.c.id == message_id).values(
            state=sent.state, provider_id=sent.provider_id, segments=sent.segments, attempts=message.attempts + 1,
            claimed_until=None, last_error=None, error_code=None, updated_at=now))
    return True


def _record_failure(engine: Engine, message: Row[Any], exc: TransportError, now: datetime) -> None:
    attempts = message.attempts + 1
    final = exc.permanent or attempts >= MAX_ATTEMPTS
    logger.warning("message %s (%s to %s) %s: %s", message.id, message.purpose, message.recipient,
                   "failed for good" if final else f"will be tried again (attempt {attempts})", exc.message)
    with engine.begin() as connection:
        connection.execute(update(messages).where(messages.c.id == message.id).values(
            state=FAILED if final else QUEUED, attempts=attempts, claimed_until=None,
            next_attempt_at=now + backoff(attempts), last_error=exc.message[:500], error_code=exc.code,
            updated_at=now))
        if exc.code == 21610:  # Twilio says this number opted out: remember it
            set_opted_out(connection, message.recipient, "21610", now, True)


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


def recent(connection: Connection, limit: int = 50) -> list[Row[Any]]:
    return list(connection.execute(select(messages).order_by(messages.c.id.desc()).limit(limit)))
