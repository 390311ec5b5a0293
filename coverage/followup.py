"""Who called or wrote, and who still needs a callback.

The rule, in one place: a contact needs a callback when nobody took it (a voicemail, a call hung
up before anyone answered, a text); a patient is still to call back when such a contact came
after the last time a person took one of their calls and after the last time they were ticked
off (`still_to_call`). Two lists use it: the follow-up list of a coverage period (`follow_up_list`)
and the practice's callback list (`callback_list`), which holds every contact that came while
nobody answered, whenever that was: lunch, evening, weekend, a coverage period.
The functions below `still_to_call` read the contacts from the store and group them.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Connection

from config.phones import e164
from coverage.store import followups, reports, transcripts
from coverage.store.tables import ANSWERED, FRONT_DESK, OFFICE

CALLBACK_DAYS = 30   # how far back the callback list looks
DONE_SHOWN = timedelta(days=3)   # patients dealt with stay on the list this long, to be undone


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
    ref: str = ""             # the call's or the text's SID
    was_open: bool | None = None
    note: str = ""            # what the covering office reported
    reported_by: str | None = None
    urgent: str | None = None         # possibly urgent: "pressed" (1 before the beep), or "words:…"
    transcript: str | None = None     # the voicemail in words, when there is one
    transcribing: bool = False        # a transcript is on its way

    @property
    def needs_callback(self) -> bool:
        """A person took the call: no. A voicemail, a hang-up, a text: the practice calls back."""
        if self.kind == "call":
            return self.outcome not in (OFFICE, FRONT_DESK, ANSWERED)
        if self.was_open:
            return False  # forwarded to the practice's own desk while it was open
        return self.outcome not in ("opt_out", "opt_in", "help", "from_office", "loop")

    @property
    def is_taken(self) -> bool:
        """A person spoke with the caller: the front desk, or a covering office."""
        return self.kind == "call" and self.outcome in (OFFICE, FRONT_DESK, ANSWERED)

    @property
    def has_voicemail(self) -> bool:
        return self.kind == "call" and bool(self.recording_url)


@dataclass(frozen=True)
class Tick:
    """A patient ticked off: every contact up to `covers_until` is dealt with."""

    patient: str
    covers_until: datetime
    done_at: datetime
    done_by: str


def still_to_call(contacts: Iterable[Contact], ticked_until: datetime | None = None) -> tuple[Contact, ...]:
    """The contacts still waiting for a callback: those that need one and came after the patient
    was last reached (a call a person took) and after they were last ticked off."""
    items = list(contacts)
    since = max((c.at.timestamp() for c in items if c.is_taken), default=float("-inf"))
    if ticked_until is not None:
        since = max(since, ticked_until.timestamp())
    return tuple(c for c in items if c.needs_callback and c.at.timestamp() > since)


@dataclass(frozen=True)
class PatientFollowUp:
    """All the contacts of one patient (one number) over a span, and where they stand."""

    number: str
    contacts: tuple[Contact, ...]
    tick: Tick | None = None

    @property
    def is_withheld(self) -> bool:
        """No number to call back: withheld, or not a phone number at all (a SIP address)."""
        return e164(self.number) is None

    @cached_property
    def to_call(self) -> tuple[Contact, ...]:
        return still_to_call(self.contacts, self.tick.covers_until if self.tick else None)

    @property
    def needs_callback(self) -> bool:
        return not self.is_withheld and bool(self.to_call)

    @property
    def done_at(self) -> datetime | None:
        """When the patient was ticked off, if that still stands (no contact came after)."""
        return self.tick.done_at if self.tick and not self.to_call else None

    @property
    def reached_by(self) -> Contact | None:
        """The call a person took after the patient's last contact that needed a callback: they
        were reached (by an office, the front desk) and need no callback for what came before."""
        needing = [c for c in self.contacts if c.needs_callback]
        taken = [c for c in self.contacts if c.is_taken]
        if not needing or not taken or self.to_call:
            return None
        last = taken[-1]
        return last if last.at.timestamp() > needing[0].at.timestamp() else None

    @property
    def state(self) -> str:
        """to_call, done (ticked off), reached (a later call was taken), no_number, or none."""
        if self.is_withheld:
            return "no_number"
        if self.to_call:
            return "to_call"
        if self.done_at is not None:
            return "done"
        return "reached" if self.reached_by is not None else "none"

    @property
    def last_at(self) -> datetime:
        return self.contacts[-1].at

    @property
    def is_urgent(self) -> bool:
        """A message still to call back is possibly urgent: the patient comes first on every list."""
        return any(c.urgent for c in self.to_call)


def _contact(row: Any, kind: str) -> Contact:
    if kind == "call":
        return Contact(row.started_at, "call", row.outcome or "", row.office_id, row.recording_url,
                       row.recording_seconds, ref=row.call_sid, was_open=row.was_open, urgent=row.urgent)
    return Contact(row.received_at, "text", row.handling or "", row.office_id, body=row.body, media=row.media,
                   ref=row.message_sid, was_open=row.was_open)


def contacts_between(connection: Connection, practice_id: str, start: datetime, end: datetime,
                     office_id: str | None = None, number: str | None = None) -> list[tuple[str, Contact]]:
    """(patient number, contact) for every call and text of the practice in [start, end),
    optionally only those that went to one covering office, or of one number; with what the
    covering office reported on each."""
    rows = [(row.caller, _contact(row, "call"))
            for row in followups.calls_between(connection, practice_id, start, end, office_id, number)]
    rows += [(row.sender, _contact(row, "text"))
             for row in followups.texts_between(connection, practice_id, start, end, office_id, number)]
    notes = reports.reports_of(connection, practice_id, [c.ref for _, c in rows])
    words = transcripts.of_calls(connection, [c.ref for _, c in rows if c.has_voicemail])
    found = []
    for number_, contact in rows:
        note, said = notes.get(contact.ref), words.get(contact.ref)
        if note is not None:
            contact = replace(contact, note=note.note, reported_by=note.office_id)
        if said is not None:
            contact = replace(contact, transcript=said[0], transcribing=said[1])
        found.append((number_, contact))
    found.sort(key=lambda item: item[1].at)
    return found


def urgent_first(items: Sequence[tuple[str, Contact]]) -> list[tuple[str, Contact]]:
    """A list of contacts with the possibly urgent ones nobody handled yet first, each part in
    the order they came."""
    return sorted(items, key=lambda item: (not (item[1].urgent and not item[1].reported_by), item[1].at.timestamp()))


def _ticks(connection: Connection, practice_id: str, patients: list[str]) -> dict[str, Tick]:
    """The latest standing tick of each patient."""
    latest: dict[str, Tick] = {}
    for row in followups.ticks(connection, practice_id, patients):
        latest[row.patient] = Tick(row.patient, row.covers_until, row.done_at, row.done_by)
    return latest


def grouped(contacts: Sequence[tuple[str, Contact]], ticks: dict[str, Tick]) -> list[PatientFollowUp]:
    """Per patient; those who still need a callback first, the possibly urgent first of them,
    then in order of first contact."""
    by_number: dict[str, list[Contact]] = {}
    for number, contact in contacts:
        by_number.setdefault(number, []).append(contact)
    patients = [PatientFollowUp(number, tuple(items), ticks.get(number)) for number, items in by_number.items()]
    patients.sort(key=lambda p: (not p.needs_callback, not p.is_urgent, p.contacts[0].at.timestamp()))
    return patients


def follow_up_list(connection: Connection, practice_id: str, start: datetime, end: datetime) -> list[PatientFollowUp]:
    """The follow-up list of a coverage period: everyone who called or wrote in [start, end)."""
    contacts = contacts_between(connection, practice_id, start, end)
    return grouped(contacts, _ticks(connection, practice_id, sorted({n for n, _ in contacts})))


def callback_list(connection: Connection, practice_id: str, now: datetime) -> list[PatientFollowUp]:
    """The practice's callback list: every patient with a contact nobody took over the last
    CALLBACK_DAYS, until ticked off (and for DONE_SHOWN after, to undo); those reached later by
    an office or the front desk are shown as such."""
    contacts = contacts_between(connection, practice_id, now - timedelta(days=CALLBACK_DAYS), now + timedelta(days=1))
    needing = {number for number, contact in contacts if contact.needs_callback}
    contacts = [(number, contact) for number, contact in contacts if number in needing]
    patients = grouped(contacts, _ticks(connection, practice_id, sorted(needing)))
    recent = now.timestamp() - DONE_SHOWN.total_seconds()
    return [p for p in patients if p.state == "to_call" or p.last_at.timestamp() >= recent]


def summary(items: list[PatientFollowUp]) -> dict[str, Any]:
    return {"patients": len(items), "to_call": sum(1 for p in items if p.needs_callback),
            "calls": sum(1 for p in items for c in p.contacts if c.kind == "call"),
            "texts": sum(1 for p in items for c in p.contacts if c.kind == "text")}

