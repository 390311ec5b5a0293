"""« Fermer maintenant »: the practice closes by hand, now, until a chosen time.

A pure rule over the answer the schedule gives (`with_closing`): while a closing runs, the
practice is closed, its calls and texts go to the closing's chain (or its usual closures chain),
and callers hear the closing's reason and the reopening after it. Closings are kept in the store
(`coverage.store.closings`); every web process reads those still running with its directory,
every few seconds, so a switch turned on one process is followed by all within seconds. A
closing ends by itself at its end, or earlier when the practice reopens by hand.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from calendars.model import Closure
from config.settings import Practice
from coverage.schedule import Answer, Schedule, reopening_after

LONGEST = timedelta(days=14)   # a longer closure belongs in the practice's calendar


@dataclass(frozen=True)
class Closing:
    """The practice closed by hand from `starts_at` until `ends_at`."""

    id: int
    practice_id: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    chain: tuple[str, ...]      # () for the practice's usual closures chain
    set_by: str

    def runs_at(self, at: datetime) -> bool:
        return self.starts_at.timestamp() <= at.timestamp() < self.ends_at.timestamp()


def end_of_day(practice: Practice, schedule: Schedule, now: datetime) -> datetime:
    """The default end of a closing: the end of today's opening hours, else midnight tonight."""
    local = now.astimezone(practice.timezone)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), practice.timezone)
    # The opening spans are sorted and disjoint: the last one to end by midnight, if still ahead.
    index = bisect_right(schedule.hour_ends, midnight.timestamp()) - 1
    if index >= 0 and schedule.hour_ends[index] > now.timestamp():
        return datetime.fromtimestamp(schedule.hour_ends[index], practice.timezone)
    return midnight


def check_closing(practice: Practice, offices: set[str], now: datetime, ends_at: datetime,
                  chain: tuple[str, ...]) -> str | None:
    """Why a closing cannot be set as asked (None when it can)."""
    if ends_at.tzinfo is None:
        raise ValueError("a closing's end must be aware")
    if ends_at.timestamp() <= now.timestamp():
        return "ends_in_past"
    if ends_at.timestamp() - now.timestamp() > LONGEST.total_seconds():
        return "too_long"
    if any(office not in offices for office in chain):
        return "unknown_office"
    if not (chain or practice.closure_chain):
        return "no_chain"
    return None


def running(closings: tuple[Closing, ...], at: datetime) -> Closing | None:
    """The closing of `closings` that runs at `at`, if one does."""
    return next((c for c in closings if c.runs_at(at)), None)


def with_closing(answer: Answer, closing: Closing | None, practice: Practice, schedule: Schedule) -> Answer:
    """The answer while the practice is closed by hand (the schedule's answer otherwise)."""
    at = answer.at
    if closing is None or not closing.runs_at(at):
        return answer
    after = closing.ends_at.timestamp()
    reopens = reopening_after(schedule, after)
    if answer.reopens_at is not None and not answer.is_open and answer.reopens_at.timestamp() > after:
        reopens = answer.reopens_at
    closure = Closure(closing.starts_at.astimezone(practice.timezone), closing.ends_at.astimezone(practice.timezone),
                      closing.reason, f"closed-now:{closing.id}")
    if not closing.chain and not answer.is_open:
        # Closed anyway (lunch, the evening): the usual chain of that moment answers.
        return Answer(at, False, answer.chain, reopens, answer.closure or closure)
    return Answer(at, False, closing.chain or practice.closure_chain, reopens, closure)
