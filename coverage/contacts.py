"""The contact log: every call (and, later, every text) to a practice, and what became of it.

Written by the webhooks in `routing`, read for the follow-up list when the practice reopens.
Every write is keyed on Twilio's SIDs so that a webhook Twilio retries changes nothing twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.engine import Connection, Row

from coverage.database import insert_once, metadata


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite keeps no zone, so it is put back on reading."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime written to the contact log")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


# Outcomes of a call, once known.
FRONT_DESK = "front_desk"   # the practice itself answered
OFFICE = "office"           # a covering office took it (office_id says which)
VOICEMAIL = "voicemail"     # a message was recorded
HUNG_UP = "hung_up"         # the caller left before anyone answered and without a message

calls = Table(
    "calls", metadata,
    Column("id", Integer, primary_key=True),
    Column("call_sid", String(64), nullable=False, unique=True),
    Column("practice_id", String(64), nullable=False, index=True),
    Column("caller", String(32), nullable=False),
    Column("called", String(32), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("was_open", Boolean, nullable=False),
    Column("reason", String(300)),            # the closure's title; "outside_hours"; None when open
    Column("chain", String(500), nullable=False, default=""),
    Column("outcome", String(20)),
    Column("office_id", String(64)),
    Column("recording_url", String(500)),
    Column("recording_seconds", Integer),
    Column("status", String(20)),             # Twilio's final CallStatus
    Column("duration_seconds", Integer),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# One leg per number dialled: the front desk, or each covering office in turn.
call_legs = Table(
    "call_legs", metadata,
    Column("id", Integer, primary_key=True),
    Column("call_sid", String(64), nullable=False),
    Column("step", Integer, nullable=False),
    Column("target", String(64), nullable=False),   # an office id, or "front_desk"
    Column("number", String(200), nullable=False),
    Column("dial_call_sid", String(64)),
    Column("status", String(20)),                   # DialCallStatus, or "declined" at the whisper
    Column("duration_seconds", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("call_sid", "step"),
)


# Every text received, stored before anything else is done with it.
texts = Table(
    "texts", metadata,
    Column("id", Integer, primary_key=True),
    Column("message_sid", String(64), nullable=False, unique=True),
    Column("practice_id", String(64), nullable=False, index=True),   # "" when no practice has the number
    Column("sender", String(32), nullable=False),
    Column("called", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("media", Text, nullable=False, default=""),               # one "url content-type" a line
    Column("received_at", UTCDateTime(), nullable=False),
    Column("was_open", Boolean),
    Column("reason", String(300)),
    Column("handling", String(20)),    # "forwarded", "opt_out", "opt_in", "help", "from_office", "error", …
    Column("forwarded_to", String(320)),
    Column("office_id", String(64)),
    Column("replied", Boolean, nullable=False, default=False),
)


@dataclass(frozen=True)
class TextIn:
    """A text as Twilio hands it over."""

    message_sid: str
    practice_id: str
    sender: str
    called: str
    body: str
    media: tuple[tuple[str, str], ...]  # (url, content type)
    at: datetime


def record_text(connection: Connection, text: TextIn) -> bool:
    """Store a received text; False when Twilio retried and it is stored already."""
    return insert_once(connection, texts, {
        "message_sid": text.message_sid, "practice_id": text.practice_id, "sender": text.sender,
        "called": text.called, "body": text.body, "media": "\n".join(f"{u} {t}" for u, t in text.media),
        "received_at": text.at, "replied": False,
    }, ["message_sid"])


def set_text_handling(connection: Connection, message_sid: str, **values: Any) -> None:
    connection.execute(update(texts).where(texts.c.message_sid == message_sid).values(**values))


@dataclass(frozen=True)
class CallStart:
    """What is known when a call comes in."""

    call_sid: str
    practice_id: str
    caller: str
    called: str
    at: datetime
    was_open: bool
    reason: str | None
    chain: tuple[str, ...]


def record_call(connection: Connection, call: CallStart) -> bool:
    """Log an incoming call; False when Twilio retried and it is logged already."""
    return insert_once(connection, calls, {
        "call_sid": call.call_sid, "practice_id": call.practice_id, "caller": call.caller,
        "called": call.called, "started_at": call.at, "was_open": call.was_open, "reason": call.reason,
        "chain": ",".join(call.chain), "updated_at": call.at,
    }, ["call_sid"])


def decline_leg(connection: Connection, call_sid: str, step: int, target: str, number: str, at: datetime) -> None:
    """The covering office did not press 1 at the whisper (or a machine answered)."""
    if not insert_once(connection, call_legs, {"call_sid": call_sid, "step": step, "target": target,
                                               "number": number, "status": "declined", "created_at": at},
                       ["call_sid", "step"]):
        connection.execute(update(call_legs).where(
            call_legs.c.call_sid == call_sid, call_legs.c.step == step).values(status="declined"))


def finish_leg(connection: Connection, call_sid: str, step: int, target: str, number: str, status: str,
               dial_call_sid: str | None, duration: int | None, at: datetime) -> bool:
    """Log how one dial ended, once; True if the office had declined it at the whisper.

    A leg is written when its dial ends, not when it starts: one write per dial, and none on the
    incoming call's path, where the caller is waiting.
    """
    values = {"call_sid": call_sid, "step": step, "target": target, "number": number, "status": status,
              "dial_call_sid": dial_call_sid, "duration_seconds": duration, "created_at": at}
    if insert_once(connection, call_legs, values, ["call_sid", "step"]):
        return False
    # Declined at the whisper before the dial ended, or Twilio retrying this webhook.
    leg = connection.execute(select(call_legs.c.status).where(
        call_legs.c.call_sid == call_sid, call_legs.c.step == step)).one()
    connection.execute(update(call_legs).where(call_legs.c.call_sid == call_sid, call_legs.c.step == step).values(
        dial_call_sid=dial_call_sid, duration_seconds=duration))
    return bool(leg.status == "declined")


def set_outcome(connection: Connection, call_sid: str, outcome: str, at: datetime, office_id: str | None = None) -> None:
    connection.execute(update(calls).where(calls.c.call_sid == call_sid).values(
        outcome=outcome, office_id=office_id, updated_at=at))


def record_voicemail(connection: Connection, call_sid: str, url: str, seconds: int | None, at: datetime) -> None:
    connection.execute(update(calls).where(calls.c.call_sid == call_sid).values(
        outcome=VOICEMAIL, recording_url=url, recording_seconds=seconds, updated_at=at))


def record_call_status(connection: Connection, call_sid: str, status: str, duration: int | None, at: datetime) -> None:
    """Twilio's final word on the call; a call nobody took and with no message was hung up."""
    connection.execute(update(calls).where(calls.c.call_sid == call_sid).values(
        status=status, duration_seconds=duration, updated_at=at))
    connection.execute(update(calls).where(calls.c.call_sid == call_sid, calls.c.outcome.is_(None)).values(
        outcome=HUNG_UP))


def legs_of(connection: Connection, call_sid: str) -> list[Row[Any]]:
    return list(connection.execute(select(call_legs).where(call_legs.c.call_sid == call_sid).order_by(call_legs.c.step)))
