"""The follow-up list: everyone who called or wrote during a closure, and who needs a callback."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Integer, String, Table, UniqueConstraint, select
from sqlalchemy.engine import Connection

from coverage import contacts
from coverage.contacts import UTCDateTime
from coverage.database import insert_once, metadata

# A practice ticks a patient off once called back.
follow_ups = Table(
    "follow_ups", metadata,
    Column("id", Integer, primary_key=True),
    Column("practice_id", String(64), nullable=False),
    Column("period_key", String(300), nullable=False),
    Column("patient", String(32), nullable=False),
    Column("done_at", UTCDateTime(), nullable=False),
    UniqueConstraint("practice_id", "period_key", "patient"),
)

WITHHELD = {"anonymous", "unknown", "restricted", "private", ""}


@dataclass(frozen=True)
class Contact:
    """One call or text, and what became of it."""

    at: datetime
    kind: str                 # "call" or "text"
    outcome: str              # contacts.OFFICE, VOICEMAIL, HUNG_UP, FRONT_DESK; or the text's handling
    office_id: str | None
    recording_url: str | None = None
    recording_seconds: int | None = None
    body: str = ""
    media: str = ""

    @property
    def needs_callback(self) -> bool:
        """A person took the call: no. A voicemail, a hang-up, a text: the practice calls back."""
        if self.kind == "call":
            return self.outcome not in (contacts.OFFICE, contacts.FRONT_DESK)
        return self.outcome not in ("opt_out", "opt_in", "help", "from_office")


@dataclass(frozen=True)
class PatientFollowUp:
    """All the contacts of one patient (one number) during a closure."""

    number: str
    contacts: tuple[Contact, ...]
    done_at: datetime | None

    @property
    def is_withheld(self) -> bool:
        return self.number.lower() in WITHHELD

    @property
    def needs_callback(self) -> bool:
        return self.done_at is None and not self.is_withheld and any(c.needs_callback for c in self.contacts)


def contacts_between(connection: Connection, practice_id: str, start: datetime, end: datetime,
                     office_id: str | None = None) -> list[tuple[str, Contact]]:
    """(patient number, contact) for every call and text of the practice in [start, end),
    optionally only those that went to one covering office."""
    calls = select(contacts.calls).where(
        contacts.calls.c.practice_id == practice_id, contacts.calls.c.started_at >= start,
        contacts.calls.c.started_at < end)
    texts = select(contacts.texts).where(
        contacts.texts.c.practice_id == practice_id, contacts.texts.c.received_at >= start,
        contacts.texts.c.received_at < end)
    if office_id is not None:
        calls = calls.where(contacts.calls.c.office_id == office_id)
        texts = texts.where(contacts.texts.c.office_id == office_id)
    found: list[tuple[str, Contact]] = []
    for row in connection.execute(calls):
        found.append((row.caller, Contact(row.started_at, "call", row.outcome or "", row.office_id, row.recording_url,
                                          row.recording_seconds)))
    for row in connection.execute(texts):
        found.append((row.sender, Contact(row.received_at, "text", row.handling or "", row.office_id, body=row.body,
                                          media=row.media)))
    found.sort(key=lambda item: item[1].at)
    return found


def follow_up_list(connection: Connection, practice_id: str, period_key: str, start: datetime,
                   end: datetime) -> list[PatientFollowUp]:
    """Grouped per patient; those who still need a callback first, then in order of first contact."""
    done = {row.patient: row.done_at for row in connection.execute(select(follow_ups).where(
        follow_ups.c.practice_id == practice_id, follow_ups.c.period_key == period_key))}
    grouped: dict[str, list[Contact]] = {}
    for number, contact in contacts_between(connection, practice_id, start, end):
        grouped.setdefault(number, []).append(contact)
    patients = [PatientFollowUp(number, tuple(items), done.get(number)) for number, items in grouped.items()]
    patients.sort(key=lambda p: (not p.needs_callback, p.contacts[0].at))
    return patients


def mark_done(connection: Connection, practice_id: str, period_key: str, patient: str, at: datetime) -> None:
    insert_once(connection, follow_ups, {"practice_id": practice_id, "period_key": period_key, "patient": patient,
                                         "done_at": at}, ["practice_id", "period_key", "patient"])


def summary(items: list[PatientFollowUp]) -> dict[str, Any]:
    return {"patients": len(items), "to_call": sum(1 for p in items if p.needs_callback),
            "calls": sum(1 for p in items for c in p.contacts if c.kind == "call"),
            "texts": sum(1 for p in items for c in p.contacts if c.kind == "text")}
