"""The follow-up list: everyone who called or wrote during a closure, and who needs a callback.

`Contact.needs_callback` and `PatientFollowUp.needs_callback` are the rule; the functions below
read the contacts from the store and group them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from config.phones import e164
from coverage.store import followups
from coverage.store.tables import ANSWERED, FRONT_DESK, OFFICE


@dataclass(frozen=True)
class Contact:
    """One call or text, and what became of it."""

    at: datetime
    kind: str                 # "call" or "text"
    outcome: str              # OFFICE, VOICEMAIL, HUNG_UP, FRONT_DESK; or the text's handling
    office_id: str | None
    recording_url: str | None = None
    recording_seconds: int | None = None
    body: str = ""
    media: str = ""

    @property
    def needs_callback(self) -> bool:
        """A person took the call: no. A voicemail, a hang-up, a text: the practice calls back."""
        if self.kind == "call":
            return self.outcome not in (OFFICE, FRONT_DESK, ANSWERED)
        return self.outcome not in ("opt_out", "opt_in", "help", "from_office", "loop")


@dataclass(frozen=True)
class PatientFollowUp:
    """All the contacts of one patient (one number) during a closure."""

    number: str
    contacts: tuple[Contact, ...]
    done_at: datetime | None

    @property
    def is_withheld(self) -> bool:
        """No number to call back: withheld, or not a phone number at all (a SIP address)."""
        return e164(self.number) is None

    @property
    def needs_callback(self) -> bool:
        return self.done_at is None and not self.is_withheld and any(c.needs_callback for c in self.contacts)


def contacts_between(connection: Connection, practice_id: str, start: datetime, end: datetime,
                     office_id: str | None = None) -> list[tuple[str, Contact]]:
    """(patient number, contact) for every call and text of the practice in [start, end),
    optionally only those that went to one covering office."""
    found: list[tuple[str, Contact]] = []
    for row in followups.calls_between(connection, practice_id, start, end, office_id):
        found.append((row.caller, Contact(row.started_at, "call", row.outcome or "", row.office_id, row.recording_url,
                                          row.recording_seconds)))
    for row in followups.texts_between(connection, practice_id, start, end, office_id):
        found.append((row.sender, Contact(row.received_at, "text", row.handling or "", row.office_id, body=row.body,
                                          media=row.media)))
    found.sort(key=lambda item: item[1].at)
    return found


def follow_up_list(connection: Connection, practice_id: str, period_key: str, start: datetime,
                   end: datetime) -> list[PatientFollowUp]:
    """Grouped per patient; those who still need a callback first, then in order of first contact."""
    done = followups.done_at(connection, practice_id, period_key)
    grouped: dict[str, list[Contact]] = {}
    for number, contact in contacts_between(connection, practice_id, start, end):
        grouped.setdefault(number, []).append(contact)
    patients = [PatientFollowUp(number, tuple(items), done.get(number)) for number, items in grouped.items()]
    patients.sort(key=lambda p: (not p.needs_callback, p.contacts[0].at))
    return patients


def summary(items: list[PatientFollowUp]) -> dict[str, Any]:
    return {"patients": len(items), "to_call": sum(1 for p in items if p.needs_callback),
            "calls": sum(1 for p in items for c in p.contacts if c.kind == "call"),
            "texts": sum(1 for p in items for c in p.contacts if c.kind == "text")}
