"""The validated, typed settings of Relève. Built only by `config.loader`; never mutated."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from calendars.model import ClosureFilter

# The languages Relève speaks and writes; each has greetings and a <Say> voice that matches it.
LANGUAGES = ("fr-FR", "fr-CA", "en-US", "en-CA", "en-GB")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

OFFICE_KINDS = ("partner", "answering_service")

# When the practice hears of a voicemail left while it is closed outside a coverage period (lunch,
# evening, weekend): each one right away, or gathered in one notice an hour; or only in the
# morning digest and on its page.
VOICEMAIL_NOTICES = ("right_away", "hourly", "digest_only")

# What the practice does: the default wording follows it (patients or clients, the emergency line).
PROFESSIONS = ("dentist", "doctor", "vet", "physiotherapist", "notary", "accountant", "other")
HEALTH_PROFESSIONS = frozenset({"dentist", "doctor", "physiotherapist"})

# What callers and covering offices hear, by name, with the placeholders each may use. The
# default wording is in coverage/wording/greetings.py and its catalogs; the configuration may override any.
GREETINGS: dict[str, frozenset[str]] = {
    "closed": frozenset({"practice", "Practice", "closed", "reason", "reopening", "reopens", "when", "office",
                         "Office", "covering", "emergency"}),
    "outside_hours": frozenset({"practice", "Practice", "closed", "reopening", "reopens", "when", "office", "Office",
                                "covering", "emergency"}),
    "next_office": frozenset({"office", "Office", "why"}),
    "voicemail": frozenset({"practice", "Practice", "office", "Office", "office_phone", "emergency", "heard",
                            "kept"}),
    "open_voicemail": frozenset({"practice", "Practice", "emergency", "heard", "kept"}),
    "whisper": frozenset({"practice", "Practice", "of_practice", "closed", "reopening", "reopens"}),
    "accept_prompt": frozenset(),
    "thanks": frozenset(),
    "no_message": frozenset(),
    "urgent_prompt": frozenset({"practice", "Practice"}),
    "urgent_noted": frozenset({"practice", "Practice"}),
}

# The texts Relève sends, with their placeholders; default wording in routing/texts.py.
TEXTS: dict[str, frozenset[str]] = {
    "auto_reply": frozenset({"practice", "Practice", "closed", "reopening", "reopens", "office", "to_office",
                             "office_phone"}),
    "text_back": frozenset({"practice", "Practice"}),
    "forward": frozenset({"practice", "Practice", "sender", "body"}),
    "media": frozenset({"practice", "Practice", "count", "photos", "links"}),
}


@dataclass(frozen=True)
class Name:
    """How a practice or covering office is written (pages, texts) and spoken (greetings)."""

    written: str
    spoken: str
    # French agreement (« fermée », « Ouverts »), when the spoken name's article does not show it
    # (« Santé Plus », « l'Orée »): "feminine" or "masculine"; None to follow the article.
    gender: str | None = None
    plural: bool = False


@dataclass(frozen=True)
class CalendarSource:
    """Where a practice's closures come from: a local .ics path or an https:// address."""

    location: str
    selection: ClosureFilter = field(default_factory=ClosureFilter)
    line: int | None = field(default=None, compare=False)  # in the configuration file, for its errors
    given_label: str | None = field(default=None, compare=False)

    @property
    def is_url(self) -> bool:
        return "://" in self.location

    @property
    def label(self) -> str:
        """The location, without the secret part of a private calendar address. Two calendars of
        one host still read apart: a short digest of the whole address ends the label."""
        if self.given_label:
            return self.given_label
        if not self.is_url:
            return Path(self.location).name
        scheme, _, rest = self.location.partition("://")
        host, _, path = rest.partition("/")
        if not path:
            return self.location
        return f"{scheme}://{host}/…{hashlib.sha256(self.location.encode()).hexdigest()[:6]}"


@dataclass(frozen=True)
class OpeningHours:
    """Weekly opening hours in the practice's local time: seconds since midnight, per weekday."""

    # Index 0 is Monday, as datetime.weekday() counts. Each day holds sorted, disjoint
    # (open, close) pairs; close may be 86400 (24:00, midnight at the end of the day).
    days: tuple[tuple[tuple[int, int], ...], ...]


@dataclass(frozen=True)
class CoveringOffice:
    """A partner practice or an answering service that takes calls for a closed practice."""

    id: str
    kind: str
    name: Name
    phone: str
    language: str
    sms: str | None = None
    email: str | None = None
    # Whether the whisper asks to press 1: a forwarded call that lands on the office's own
    # voicemail "answers" too, and only a key press tells a person from a machine.
    ask_to_accept: bool = False
    ring_seconds: int = 20


@dataclass(frozen=True)
class UrgentContact:
    """How a covering office reaches the practitioner when something is serious."""

    name: str
    phone: str


@dataclass(frozen=True)
class Practice:
    """A practice: its numbers, its calendars, its hours and who covers for it."""

    id: str
    name: Name
    numbers: tuple[str, ...]
    front_desk: tuple[str, ...]
    timezone: ZoneInfo
    language: str
    calendars: tuple[CalendarSource, ...]
    # Coverage chains: office ids in the order they are tried.
    closure_chain: tuple[str, ...]
    after_hours_chain: tuple[str, ...]
    opening_hours: OpeningHours | None = None
    instructions: str = ""
    ring_seconds: int = 20  # how long the front desk rings while open
    greetings: dict[str, str] = field(default_factory=dict)  # overrides, in the practice's language
    texts: dict[str, str] = field(default_factory=dict)  # overrides of the texts it sends
    # Where texts go while the practice is open (a staff mobile, else an email address); the email
    # also receives the follow-up list.
    sms: str | None = None
    email: str | None = None
    urgent_contact: UrgentContact | None = None
    briefing_days: tuple[int, ...] = (7, 1)  # days before a closure its covering offices are briefed
    voicemail_notices: str = "right_away"     # one of VOICEMAIL_NOTICES
    profession: str = "other"                 # one of PROFESSIONS
    # Where callers are sent in an emergency the practice's own profession handles (a vet's
    # on-duty service or the emergency animal hospital); health practices use the public lines.
    emergency_line: UrgentContact | None = None
    # Words of a voicemail's transcript that mark it as possibly urgent; empty: the profession's
    # (coverage.urgency.DEFAULT_WORDS).
    urgent_words: tuple[str, ...] = ()

    @property
    def is_health(self) -> bool:
        return self.profession in HEALTH_PROFESSIONS

# How voicemails are turned into words (routing.transcribe): not at all, by Twilio's
# Conversational Intelligence, or on this host by faster-whisper.
TRANSCRIBERS = ("none", "twilio", "local")


@dataclass(frozen=True)
class Transcription:
    """`service.transcription`: the engine, and what it needs."""

    engine: str = "none"                                # one of TRANSCRIBERS
    model: str | None = None                            # local: a faster-whisper (CTranslate2) model folder
    services: dict[str, str] = field(default_factory=dict)  # twilio: language -> Intelligence Service SID (GA…)


@dataclass(frozen=True)
class Service:
    """How the service itself runs (not secret; secrets come from the environment)."""

    refresh: timedelta = timedelta(minutes=15)
    horizon: timedelta = timedelta(days=400)
    # The https:// addresses Twilio calls (scheme and host): signatures are checked against these.
    public_urls: tuple[str, ...] = ()
    retention: timedelta = timedelta(days=90)  # how long patients' calls, texts and messages are kept (README)
    calendar_alert: timedelta = timedelta(hours=6)  # a calendar unread this long is an alert
    transcription: Transcription = field(default_factory=Transcription)

    @property
    def public_url(self) -> str | None:
        """The address links and status callbacks point to: the first public URL."""
        return self.public_urls[0] if self.public_urls else None


@dataclass(frozen=True)
class Settings:
    """Everything the configuration file says, validated."""

    path: Path
    practices: tuple[Practice, ...]
    offices: dict[str, CoveringOffice]
    service: Service = field(default_factory=Service)
    greetings: dict[str, dict[str, str]] = field(default_factory=dict)  # language -> name -> text

    def practice_for_number(self, number: str) -> Practice | None:
        """The practice whose Twilio number was dialled."""
        return self._by_number.get(number.strip())

    @cached_property
    def _by_number(self) -> dict[str, Practice]:
        return {number: practice for practice in self.practices for number in practice.numbers}

    def practice(self, practice_id: str) -> Practice:
        for practice in self.practices:
            if practice.id == practice_id:
                return practice
        raise KeyError(practice_id)

    def chain_offices(self, chain: tuple[str, ...]) -> tuple[CoveringOffice, ...]:
        return tuple(self.offices[office_id] for office_id in chain)
