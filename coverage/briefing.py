"""The briefing sheet: what a covering office needs to know to serve a practice's patients well."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from config.settings import CoveringOffice, Practice, Settings
from coverage.periods import CoveragePeriod
from coverage.schedule import Answer
from coverage.wording.greetings import closed_greeting, whisper_text


@dataclass(frozen=True)
class Briefing:
    """Everything the sheet, its email and the notices say, computed once."""

    practice: Practice
    office: CoveringOffice
    period: CoveragePeriod
    chain: tuple[CoveringOffice, ...]
    night_chain: tuple[CoveringOffice, ...]  # who answers outside opening hours during the period
    position: int            # 1 for the first office tried by day; 0 when only at night
    greeting: str            # what callers hear by day
    night_greeting: str | None  # what callers hear outside opening hours, when another office answers then
    whisper: str             # what the office hears before each call
    texts_to: str | None     # where forwarded texts reach the office

    @property
    def covers_nights(self) -> bool:
        return self.office in self.night_chain

    @property
    def language(self) -> str:
        return self.office.language

    @property
    def instructions(self) -> str:
        return self.practice.instructions.strip()

    @property
    def closure_notes(self) -> str:
        return self.period.closure.notes.strip()


def make_briefing(settings: Settings, practice: Practice, office_id: str, period: CoveragePeriod) -> Briefing:
    office = settings.offices[office_id]
    answer = Answer(period.start, False, period.chain, period.reopens_at, period.closure)
    # What a caller hears on the first day of the closure, as the practice's greeting says it.
    greeting = closed_greeting(settings, practice, answer, period.start)
    # At night the night chain answers, and the greeting names it: the night office's sheet quotes
    # what its callers really hear.
    night_greeting = None
    if period.night_chain and period.night_chain != period.chain:
        night = Answer(period.start, False, period.night_chain, period.reopens_at, period.closure)
        night_greeting = closed_greeting(settings, practice, night, period.start)
    # Read days ahead, the whisper must name the day (« le samedi 9 janvier à 9 heures »), not « demain ».
    read_on = period.start - timedelta(days=2)
    return Briefing(
        practice=practice, office=office, period=period,
        chain=tuple(settings.offices[o] for o in period.chain),
        night_chain=tuple(settings.offices[o] for o in period.night_chain),
        position=period.chain.index(office_id) + 1 if office_id in period.chain else 0,
        greeting=greeting, night_greeting=night_greeting, whisper=whisper_text(settings, practice, office, period.reopens_at, read_on),
        # Texts go to the first office answering at the time: by day, or at night.
        texts_to=office.sms or office.email if office_id in (period.chain[:1] + period.night_chain[:1]) else None,
    )
