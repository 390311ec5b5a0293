"""The contact log: every call, each of its legs, every voicemail and text, and what became of each.

The webhooks write it as events (`CallStart`, `LegEnd`, …), each applied by `apply`. Applying an
event twice changes nothing (Twilio retries webhooks; a spool may be replayed after a crash), and
events may arrive in any order: when the database was down, each web process kept its events in
its own spool, and the spools are replayed one after the other. So every event writes only its
own columns, and one that comes before the call's start makes a row the start then completes.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.engine import Connection, Row

from coverage.store import outbox
from coverage.store.sql import insert_once, upsert_many
from coverage.store.tables import HUNG_UP, URGENT_PRESSED, VOICEMAIL, call_legs, calls, texts

MAX_SECONDS = 7 * 24 * 3600  # no call lasts a week: a larger duration is not a duration


def seconds(value: int | None) -> int | None:
    """A duration as the database can keep it; None when it cannot be one (a 20-digit number)."""
    return value if value is not None and 0 <= value <= MAX_SECONDS else None


def _text(value: str, size: int) -> str:
    return value[:size]


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


@dataclass(frozen=True)
class LegEnd:
    """How one dial ended (Twilio's <Dial action>)."""

    call_sid: str
    step: int
    target: str       # an office id, or "front_desk"
    number: str
    status: str
    dial_call_sid: str | None
    duration: int | None
    at: datetime


@dataclass(frozen=True)
class LegAnswer:
    """What the covering office did at the whisper: pressed 1, or another key."""

    call_sid: str     # the caller's leg (the whisper's ParentCallSid)
    step: int
    target: str
    number: str
    is_accepted: bool
    at: datetime


@dataclass(frozen=True)
class CallOutcome:
    """A person took the call: the front desk, or a covering office."""

    call_sid: str
    outcome: str
    office_id: str | None
    at: datetime


@dataclass(frozen=True)
class Voicemail:
    call_sid: str
    practice_id: str
    caller: str
    called: str
    url: str
    recording_sid: str | None
    seconds: int | None
    at: datetime
    pressed_urgent: bool = False   # the caller pressed 1 before the beep: "possiblement urgent"


@dataclass(frozen=True)
class CallStatus:
    """Twilio's final word on the call."""

    call_sid: str
    practice_id: str
    caller: str
    called: str
    status: str
    duration: int | None
    at: datetime


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


@dataclass(frozen=True)
class MessageStatus:
    """Twilio's status callback for a text Relève sent."""

    provider_id: str
    status: str
    error_code: int | None
    at: datetime


Event = CallStart | LegEnd | LegAnswer | CallOutcome | Voicemail | CallStatus | TextIn | MessageStatus
EVENTS: dict[str, type[Any]] = {cls.__name__: cls for cls in (CallStart, LegEnd, LegAnswer, CallOutcome,
                                                               Voicemail, CallStatus, TextIn, MessageStatus)}


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _field_names(kind: type[Any]) -> tuple[str, ...]:
    """An event class's field names, looked up once: dataclasses.fields is slow for every event."""
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(field.name for field in fields(kind))
    return names


def as_record(event: Event) -> dict[str, Any]:
    """The event as JSON-ready values, for the spool."""
    kind = type(event)
    record: dict[str, Any] = {"event": kind.__name__}
    for name in _field_names(kind):  # by hand: dataclasses.asdict deep-copies every value
        value = getattr(event, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = [list(item) if isinstance(item, tuple) else item for item in value]
        record[name] = value
    return record


def from_record(record: dict[str, Any]) -> Event:
    """The event a spool line holds; raise ValueError when it is not one."""
    kind = EVENTS.get(str(record.get("event")))
    if kind is None:
        raise ValueError(f"unknown event {record.get('event')!r}")
    values: dict[str, Any] = {}
    for name in _field_names(kind):
        value = record[name]
        if name == "at":
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("naive time in a spooled event")
        elif name == "chain":
            value = tuple(value)
        elif name == "media":
            value = tuple((str(url), str(kind_)) for url, kind_ in value)
        values[name] = value
    event: Event = kind(**values)
    return event


def apply(connection: Connection, event: Event) -> bool:
    """Write one event. True when it was new (a text stored for the first time, a call logged)."""
    if isinstance(event, CallStart):
        return _start(connection, event)
    if isinstance(event, LegEnd):
        _leg_end(connection, event)
    elif isinstance(event, LegAnswer):
        _leg_answer(connection, event)
    elif isinstance(event, CallOutcome):
        _ensure_call(connection, event.call_sid, "", "", "", event.at)
        connection.execute(update(calls).where(calls.c.call_sid == event.call_sid).values(
            outcome=event.outcome, office_id=event.office_id, updated_at=event.at))
    elif isinstance(event, Voicemail):
        _ensure_call(connection, event.call_sid, event.practice_id, event.caller, event.called, event.at)
        connection.execute(update(calls).where(calls.c.call_sid == event.call_sid).values(
            outcome=VOICEMAIL, recording_url=_text(event.url, 500), recording_sid=event.recording_sid,
            recording_seconds=seconds(event.seconds), updated_at=event.at,
            **({"urgent": URGENT_PRESSED} if event.pressed_urgent else {})))
    elif isinstance(event, CallStatus):
        _ensure_call(connection, event.call_sid, event.practice_id, event.caller, event.called, event.at)
        connection.execute(update(calls).where(calls.c.call_sid == event.call_sid).values(
            status=_text(event.status, 20), duration_seconds=seconds(event.duration), updated_at=event.at,
            # No person and no message when the call ended: the caller hung up. A voicemail or an
            # office replayed later from another process's spool still takes its place.
            outcome=case((calls.c.outcome.is_(None), HUNG_UP), else_=calls.c.outcome)))
    elif isinstance(event, MessageStatus):
        return outbox.record_status(connection, event.provider_id, event.status[:20], event.error_code, event.at)
    elif isinstance(event, TextIn):
        return insert_once(connection, texts, {
            "message_sid": event.message_sid, "practice_id": event.practice_id, "sender": _text(event.sender, 64),
            "called": _text(event.called, 64), "body": event.body,
            "media": "\n".join(f"{u} {t}" for u, t in event.media), "received_at": event.at, "replied": False,
        }, ["message_sid"])
    return True


def apply_all(connection: Connection, events: Sequence[Event]) -> None:
    """Write events in order (the spool's batches): a run of call starts, the bulk of them, is
    written in one statement, a retried start changing nothing and a start replacing the row a
    later event of its call made first (see `_start`)."""
    for kind, run in itertools.groupby(events, key=type):
        group = list(run)
        if kind is CallStart and len(group) > 1:
            upsert_many(connection, calls, [_start_values(e) for e in group if isinstance(e, CallStart)],
                        ["call_sid"], _START_COLUMNS, only_if_earlier="started_at")
            continue
        for event in group:
            apply(connection, event)


_START_COLUMNS = ("practice_id", "caller", "called", "started_at", "was_open", "reason", "chain")


def _start_values(call: CallStart) -> dict[str, Any]:
    return {"call_sid": call.call_sid, "practice_id": call.practice_id, "caller": _text(call.caller, 64),
            "called": _text(call.called, 64), "started_at": call.at, "was_open": call.was_open,
            "reason": _text(call.reason, 300) if call.reason is not None else None,
            "chain": _text(",".join(call.chain), 500), "updated_at": call.at}


def _start(connection: Connection, call: CallStart) -> bool:
    values = _start_values(call)
    if insert_once(connection, calls, values, ["call_sid"]):
        return True
    # A row is there: Twilio retried the webhook (the first start stays), or a later event of this
    # call was replayed first and made the row (its start time is later: the start replaces it).
    upsert_many(connection, calls, [values], ["call_sid"], _START_COLUMNS, only_if_earlier="started_at")
    return False


def _ensure_call(connection: Connection, call_sid: str, practice_id: str, caller: str, called: str,
                 at: datetime) -> None:
    """A row for a call whose start is not logged (yet): a later event came first, or the call
    came through the fallback, which logs nothing at the start."""
    insert_once(connection, calls, {
        "call_sid": call_sid, "practice_id": practice_id, "caller": _text(caller, 64), "called": _text(called, 64),
        "started_at": at, "was_open": False, "reason": None, "chain": "", "updated_at": at}, ["call_sid"])


def _leg_end(connection: Connection, leg: LegEnd) -> None:
    values = {"call_sid": leg.call_sid, "step": leg.step, "target": _text(leg.target, 64),
              "number": _text(leg.number, 200), "status": _text(leg.status, 20),
              "dial_call_sid": _text(leg.dial_call_sid, 64) if leg.dial_call_sid else None,
              "duration_seconds": seconds(leg.duration), "created_at": leg.at}
    if insert_once(connection, call_legs, values, ["call_sid", "step"]):
        return
    # Declined at the whisper before the dial ended (the decline stays), or Twilio retrying.
    connection.execute(update(call_legs).where(call_legs.c.call_sid == leg.call_sid, call_legs.c.step == leg.step)
                       .values(dial_call_sid=values["dial_call_sid"], duration_seconds=values["duration_seconds"],
                               status=case((call_legs.c.status == "declined", "declined"), else_=values["status"])))


def _leg_answer(connection: Connection, answer: LegAnswer) -> None:
    values = {"call_sid": answer.call_sid, "step": answer.step, "target": _text(answer.target, 64),
              "number": _text(answer.number, 200), "created_at": answer.at,
              "status": None if answer.is_accepted else "declined",
              "accepted_at": answer.at if answer.is_accepted else None}
    if insert_once(connection, call_legs, values, ["call_sid", "step"]):
        return
    change: dict[str, Any] = {"accepted_at": answer.at} if answer.is_accepted else {"status": "declined"}
    connection.execute(update(call_legs).where(call_legs.c.call_sid == answer.call_sid,
                                               call_legs.c.step == answer.step).values(**change))


def leg(connection: Connection, call_sid: str, step: int) -> Row[Any] | None:
    return connection.execute(select(call_legs).where(call_legs.c.call_sid == call_sid,
                                                      call_legs.c.step == step)).first()


def legs_of(connection: Connection, call_sid: str) -> list[Row[Any]]:
    return list(connection.execute(select(call_legs).where(call_legs.c.call_sid == call_sid).order_by(call_legs.c.step)))


def set_text_handling(connection: Connection, message_sid: str, **values: Any) -> None:
    connection.execute(update(texts).where(texts.c.message_sid == message_sid).values(**values))


def text_row(connection: Connection, message_sid: str) -> Row[Any] | None:
    return connection.execute(select(texts).where(texts.c.message_sid == message_sid)).first()


def unhandled_texts(connection: Connection, before: datetime, limit: int = 100) -> list[Row[Any]]:
    """Texts stored but never handled (the handling failed, or they came back from a spool)."""
    return list(connection.execute(select(texts).where(texts.c.handling.is_(None), texts.c.received_at <= before)
                                   .order_by(texts.c.id).limit(limit)))


def forwards_between(connection: Connection, sender: str, destination: str, since: datetime) -> int:
    """How many texts from `sender` were forwarded to `destination` since `since`: the loop check."""
    return int(connection.execute(select(func.count()).select_from(texts).where(and_(
        texts.c.sender == sender, texts.c.forwarded_to == destination, texts.c.received_at >= since,
        texts.c.handling == "forwarded"))).scalar_one())


def unreachable_offices(connection: Connection, office_ids: set[str], since: datetime, tries: int = 3) -> set[str]:
    """The offices whose last `tries` dials since `since` all failed (Twilio could not connect:
    a wrong or dead number), of those given."""
    last: dict[str, list[str]] = {}
    rows = connection.execute(select(call_legs.c.target, call_legs.c.status).where(
        call_legs.c.created_at >= since, call_legs.c.target != "front_desk")
        .order_by(call_legs.c.created_at.desc()))
    for row in rows:
        target, status = str(row.target), str(row.status or "")
        if target in office_ids and len(last.setdefault(target, [])) < tries:
            last[target].append(status)
    return {office for office, statuses in last.items()
            if len(statuses) == tries and all(status == "failed" for status in statuses)}
