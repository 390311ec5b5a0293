"""Coverage periods: the closures a covering office is briefed about.

Not every closure: a lunch break is covered all year long and needs no briefing. A period is a
closure of a whole day or of at least eight hours that is not inside a longer one (the holiday in
the middle of a vacation). Its key stays the same when the practice moves the event in its
calendar, so that the office gets an update rather than a second, unrelated briefing.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from calendars.model import Closure
from coverage.schedule import Schedule, is_inside_another, reopening_after

MIN_LENGTH = timedelta(hours=8)


@dataclass(frozen=True)
class CoveragePeriod:
    """A closure worth a briefing, with who covers it and when the practice really reopens."""

    key: str
    closure: Closure
    chain: tuple[str, ...]        # during opening hours
    reopens_at: datetime | None
    night_chain: tuple[str, ...] = ()  # outside opening hours (evenings, nights, weekends)

    @property
    def recipients(self) -> tuple[str, ...]:
        """Every office that takes calls during the period, by day or at night: all are briefed."""
        return tuple(dict.fromkeys((*self.chain, *self.night_chain)))

    @property
    def start(self) -> datetime:
        return self.closure.start

    @property
    def end(self) -> datetime:
        return self.closure.end

    @property
    def version(self) -> str:
        """Changes when the dates or the chain change: what an office was told is then out of date."""
        text = f"{self.start.timestamp()}|{self.end.timestamp()}|{','.join(self.chain)}|{','.join(self.night_chain)}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def coverage_periods(schedule: Schedule, start: datetime, end: datetime) -> list[CoveragePeriod]:
    """The periods that overlap [start, end), in order."""
    long_enough = MIN_LENGTH.total_seconds()
    candidates = [schedule.covered_closure(i) for i in schedule.between(start.timestamp(), end.timestamp())
                  if schedule.flags[i] & 1 or schedule.ends[i] - schedule.starts[i] >= long_enough]
    kept = [c for c in candidates if not is_inside_another(c, candidates)]
    uids = Counter(c.closure.uid for c in kept)
    periods = []
    for item in kept:
        closure = item.closure
        # A recurring event has one uid for all its occurrences: the day tells them apart.
        key = closure.uid if uids[closure.uid] == 1 else f"{closure.uid}@{closure.start.date().isoformat()}"
        night = schedule.after_hours_chain if schedule.hours is not None else ()
        periods.append(CoveragePeriod(key, closure, item.chain, reopening_after(schedule, closure.end.timestamp()),
                                      night))
    return periods
