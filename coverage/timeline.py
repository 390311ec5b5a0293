"""The practice's timeline, to look at rather than read: pure functions of the schedule, the
closings set by hand and the days asked for.

- `days_ahead`: each coming day as segments of 24 hours: open, closed (a closure, with the office
  that covers it), closed by hand, or outside opening hours (nights, weekends, with the night
  chain), so a glance shows the lunch breaks, the evenings and who answers then.
- `months_ahead`: each day of the coming months, open or closed, with the coverage periods
  (vacations, holidays, training days) and their offices, so the summer vacation shows from December.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from config.settings import Practice
from coverage.closing import Closing, with_closing
from coverage.hours import local_at
from coverage.periods import CoveragePeriod, coverage_periods
from coverage.schedule import Schedule, is_within_hours, resolve_coverage

OPEN, CLOSED, NIGHT, CLOSED_NOW = "open", "closed", "night", "closed_now"


@dataclass(frozen=True)
class Segment:
    """A stretch of one day with one answer: from `start` to `end`, as fractions of the day."""

    start: datetime
    end: datetime
    kind: str                    # OPEN, CLOSED, NIGHT, CLOSED_NOW
    reason: str | None
    chain: tuple[str, ...]
    left: float                  # where it starts, as a share of the day (0 to 1)
    width: float


@dataclass(frozen=True)
class Day:
    day: date
    segments: tuple[Segment, ...]

    @property
    def is_closed_all_day(self) -> bool:
        return all(s.kind != OPEN for s in self.segments)


def _kind(schedule: Schedule, at: datetime, answer_closure_uid: str | None, is_open: bool) -> str:
    if is_open:
        return OPEN
    if answer_closure_uid and answer_closure_uid.startswith("closed-now:"):
        return CLOSED_NOW
    if answer_closure_uid is None or not is_within_hours(schedule, at):
        return NIGHT
    return CLOSED


def day_segments(schedule: Schedule, practice: Practice, closings: Sequence[Closing], day: date) -> Day:
    """One day of the practice, cut where its answer changes."""
    tz = schedule.tz
    start, end = local_at(day, 0, tz), local_at(day + timedelta(days=1), 0, tz)
    a, b = start.timestamp(), end.timestamp()
    cuts = {a, b}
    for values in (schedule.open_starts, schedule.open_ends, schedule.hour_starts, schedule.hour_ends):
        cuts.update(v for v in values if a < v < b)
    for index in schedule.between(a, b):
        cuts.update(v for v in (schedule.starts[index], schedule.ends[index]) if a < v < b)
    for closing in closings:
        cuts.update(v for v in (closing.starts_at.timestamp(), closing.ends_at.timestamp()) if a < v < b)
    points = sorted(cuts)
    length = b - a
    segments: list[Segment] = []
    for left, right in zip(points, points[1:], strict=False):
        middle = datetime.fromtimestamp((left + right) / 2, tz)
        running = next((c for c in closings if c.runs_at(middle)), None)
        answer = with_closing(resolve_coverage(schedule, middle), running, practice, schedule)
        kind = _kind(schedule, middle, answer.closure.uid if answer.closure else None, answer.is_open)
        reason = answer.reason if kind != OPEN else None
        previous = segments[-1] if segments else None
        if previous and (previous.kind, previous.reason, previous.chain) == (kind, reason, answer.chain):
            segments[-1] = Segment(previous.start, datetime.fromtimestamp(right, tz), kind, reason, answer.chain,
                                   previous.left, (right - a) / length - previous.left)
        else:
            segments.append(Segment(datetime.fromtimestamp(left, tz), datetime.fromtimestamp(right, tz), kind,
                                    reason, answer.chain, (left - a) / length, (right - left) / length))
    return Day(day, tuple(segments))


def days_ahead(schedule: Schedule, practice: Practice, closings: Sequence[Closing], now: datetime,
               days: int = 14) -> list[Day]:
    today = now.astimezone(schedule.tz).date()
    return [day_segments(schedule, practice, closings, today + timedelta(days=n)) for n in range(days)]


@dataclass(frozen=True)
class DayCell:
    day: date
    kind: str                      # OPEN, CLOSED (a coverage period), NIGHT (no opening hours that day)
    period: CoveragePeriod | None


@dataclass(frozen=True)
class Month:
    first: date
    cells: tuple[DayCell, ...]
    periods: tuple[CoveragePeriod, ...]   # those that touch the month


def months_ahead(schedule: Schedule, now: datetime, months: int = 12) -> list[Month]:
    """Each day of the coming months: in a coverage period, without opening hours, or open."""
    tz = schedule.tz
    today = now.astimezone(tz).date()
    first = today.replace(day=1)
    year, month = first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1
    periods = coverage_periods(schedule, local_at(first, 0, tz), local_at(date(year, month, 1), 0, tz))
    found: list[Month] = []
    current = first
    for _ in range(months):
        following = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        cells = []
        touching: dict[str, CoveragePeriod] = {}
        day = current
        while day < following:
            a, b = local_at(day, 0, tz).timestamp(), local_at(day + timedelta(days=1), 0, tz).timestamp()
            period = next((p for p in periods if p.start.timestamp() < b and p.end.timestamp() > a
                           and _closes_the_day(schedule, p, day)), None)
            if period is not None:
                touching[period.key] = period
                cells.append(DayCell(day, CLOSED, period))
            elif schedule.hours is not None and not schedule.hours.days[day.weekday()]:
                cells.append(DayCell(day, NIGHT, None))
            else:
                cells.append(DayCell(day, OPEN, None))
            day += timedelta(days=1)
        found.append(Month(current, tuple(cells), tuple(touching.values())))
        current = following
    return found


def _closes_the_day(schedule: Schedule, period: CoveragePeriod, day: date) -> bool:
    """Whether the period takes up the day's opening hours (a vacation ending at 8:00 does not)."""
    hours = schedule.hours.days[day.weekday()] if schedule.hours is not None else ((0, 86400),)
    if not hours:
        return period.start.timestamp() <= local_at(day, 0, schedule.tz).timestamp() < period.end.timestamp()
    for opens, closes in hours:
        a, b = local_at(day, opens, schedule.tz).timestamp(), local_at(day, closes, schedule.tz).timestamp()
        if period.start.timestamp() < b and period.end.timestamp() > a:
            return True
    return False
