"""Who covers when: given a practice's closures and an instant, open or closed, and by whom.

Pure functions over frozen data: `build_schedule` once when calendars are (re)loaded, then
`resolve_coverage` at each call. Over the window the calendars were read for, the schedule holds
the instants the practice is open, so an answer is two binary searches; outside it (a far-off
date asked on the command line) the same answer is worked out step by step.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from calendars.model import CalendarProblem, Closure, fold
from config.settings import CoveringOffice, OpeningHours, Practice
from coverage.hours import is_open_at, next_opening, opening_spans

# Closures chained back to back, plus nights outside opening hours, are walked one by one when
# looking for the reopening; this bounds the walk for a calendar that never reopens.
_MAX_REOPENING_STEPS = 10_000


@dataclass(frozen=True, slots=True)
class CoveredClosure:
    """A closure and the coverage chain (office ids, in order) that covers it."""

    closure: Closure
    chain: tuple[str, ...]
    is_chain_from_event: bool = False


def is_inside_another(item: CoveredClosure, others: list[CoveredClosure]) -> bool:
    """Whether a longer closure among `others` holds this one wholly (the lunch breaks of a
    vacation week, the holiday in the middle of a vacation)."""
    start, end = item.closure.start.timestamp(), item.closure.end.timestamp()
    for other in others:
        other_start, other_end = other.closure.start.timestamp(), other.closure.end.timestamp()
        if other_start <= start and end <= other_end and other_end - other_start > end - start:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Answer:
    """What Relève answers for a practice at one instant."""

    at: datetime
    is_open: bool
    chain: tuple[str, ...] = ()
    reopens_at: datetime | None = None
    closure: Closure | None = None  # None when closed outside opening hours

    @property
    def is_outside_hours(self) -> bool:
        return not self.is_open and self.closure is None

    @property
    def reason(self) -> str | None:
        """The closure's title; None when open or outside opening hours."""
        return self.closure.summary if self.closure else None


@dataclass(frozen=True)
class Schedule:
    """A practice's closures, merged into blocks, ready to answer at any instant."""

    tz: ZoneInfo
    hours: OpeningHours | None
    covered: tuple[CoveredClosure, ...]  # sorted by start
    after_hours_chain: tuple[str, ...]
    # Merged blocks of overlapping or back-to-back closures, as POSIX timestamps for a fast
    # bisect, and for each block the indices in `covered` of its closures.
    block_starts: tuple[float, ...]
    block_ends: tuple[float, ...]
    block_members: tuple[tuple[int, ...], ...]
    # Within [window_start, window_end): the disjoint spans when the practice is open (opening
    # hours minus closures), as timestamps.
    window_start: float = 0.0
    window_end: float = 0.0
    open_starts: tuple[float, ...] = ()
    open_ends: tuple[float, ...] = ()
    # Within the same window: the weekly opening hours alone, closures aside.
    hour_starts: tuple[float, ...] = ()
    hour_ends: tuple[float, ...] = ()


def match_office(name: str, offices: Mapping[str, CoveringOffice]) -> str | None:
    """The id of the office a practice named in an event: by id, written or spoken name."""
    wanted = fold(name).strip()
    for office in offices.values():
        if wanted in (fold(office.id), fold(office.name.written), fold(office.name.spoken)):
            return office.id
    return None


def build_schedule(
    practice: Practice,
    closures: tuple[Closure, ...] | list[Closure],
    offices: Mapping[str, CoveringOffice],
    window: tuple[datetime, datetime] | None = None,
) -> tuple[Schedule, tuple[CalendarProblem, ...]]:
    """Attach a coverage chain to every closure and merge them; report unknown office names.

    `window` is the span the calendars were read for (default: around the closures given).
    """
    problems: list[CalendarProblem] = []
    covered: list[CoveredClosure] = []
    reported: set[tuple[str, str]] = set()
    for closure in sorted(closures, key=lambda c: c.sort_key):
        chain = tuple(dict.fromkeys(
            office_id for office_id in (match_office(n, offices) for n in closure.offices) if office_id))
        for name in closure.offices:
            if match_office(name, offices) is None and (closure.uid, name) not in reported:
                reported.add((closure.uid, name))
                problems.append(CalendarProblem(
                    closure.source,
                    f'names the covering office "{name}", which is not in the configuration; '
                    f"the default chain ({', '.join(practice.closure_chain)}) is used",
                    closure.uid, closure.summary))
        covered.append(CoveredClosure(closure, chain or practice.closure_chain, bool(chain)))

    starts: list[float] = []
    ends: list[float] = []
    members: list[list[int]] = []
    for index, item in enumerate(covered):
        start, end = item.closure.start.timestamp(), item.closure.end.timestamp()
        if starts and start <= ends[-1]:  # overlapping or back to back: one block
            ends[-1] = max(ends[-1], end)
            members[-1].append(index)
        else:
            starts.append(start)
            ends.append(end)
            members.append([index])
    if window is None and covered:
        window = (covered[0].closure.start - timedelta(days=1),
                  max((c.closure.end for c in covered), key=datetime.timestamp) + timedelta(days=8))
    hours = _hour_spans(practice, window) if window else []
    open_spans = _open_spans(hours, starts, ends)
    schedule = Schedule(
        tz=practice.timezone,
        hours=practice.opening_hours,
        covered=tuple(covered),
        after_hours_chain=practice.after_hours_chain,
        block_starts=tuple(starts),
        block_ends=tuple(ends),
        block_members=tuple(tuple(m) for m in members),
        window_start=window[0].timestamp() if window else 0.0,
        window_end=window[1].timestamp() if window else 0.0,
        open_starts=tuple(a for a, _ in open_spans),
        open_ends=tuple(b for _, b in open_spans),
        hour_starts=tuple(a for a, _ in hours),
        hour_ends=tuple(b for _, b in hours),
    )
    return schedule, tuple(problems)


def _hour_spans(practice: Practice, window: tuple[datetime, datetime]) -> list[tuple[float, float]]:
    """The spans of the window inside the weekly opening hours (all of it without hours)."""
    start, end = window
    if practice.opening_hours is None:
        return [(start.timestamp(), end.timestamp())]
    tz = practice.timezone
    hours: list[tuple[float, float]] = []
    for first, last in opening_spans(practice.opening_hours, tz, start.astimezone(tz).date() - timedelta(days=1),
                                     end.astimezone(tz).date() + timedelta(days=1)):
        a, b = first.timestamp(), last.timestamp()
        if a >= b:
            continue  # a range wholly in the hour skipped when clocks go forward
        if hours and a <= hours[-1][1]:  # "…-24:00" then "00:00-…": one span
            hours[-1] = (hours[-1][0], max(hours[-1][1], b))
        else:
            hours.append((a, b))
    return hours


def _open_spans(hours: list[tuple[float, float]], block_starts: list[float],
                block_ends: list[float]) -> list[tuple[float, float]]:
    """The spans when the practice is open: its opening hours minus its closures."""
    spans: list[tuple[float, float]] = []
    block = 0
    for a, b in hours:
        cursor = a
        while block < len(block_starts) and block_ends[block] <= cursor:
            block += 1
        k = block
        while k < len(block_starts) and block_starts[k] < b and cursor < b:
            if block_starts[k] > cursor:
                spans.append((cursor, block_starts[k]))
            cursor = max(cursor, block_ends[k])
            k += 1
        if cursor < b:
            spans.append((cursor, b))
    return spans


def _within_hours(schedule: Schedule, at: datetime, stamp: float) -> bool:
    """Whether an instant is inside the weekly opening hours, closures aside."""
    if schedule.hours is None:
        return True
    if schedule.window_start <= stamp < schedule.window_end:
        span = bisect_right(schedule.hour_starts, stamp) - 1
        return span >= 0 and stamp < schedule.hour_ends[span]
    return is_open_at(schedule.hours, schedule.tz, at)


def resolve_coverage(schedule: Schedule, at: datetime) -> Answer:
    """Open, or closed with the closure, the coverage chain to try and the reopening instant.

    The chain: during opening hours, the closure's (named in its event, else the practice's
    closures chain); outside opening hours, the after-hours chain, inside a closure or not.
    """
    if at.tzinfo is None:
        raise ValueError("resolve_coverage needs an aware datetime")
    stamp = at.timestamp()
    block = bisect_right(schedule.block_starts, stamp) - 1
    in_block = block >= 0 and schedule.block_ends[block] > stamp
    if schedule.window_start <= stamp < schedule.window_end:
        span = bisect_right(schedule.open_starts, stamp) - 1
        if span >= 0 and stamp < schedule.open_ends[span]:
            return Answer(at, True)
        following = span + 1
        reopens = (datetime.fromtimestamp(schedule.open_starts[following], schedule.tz)
                   if following < len(schedule.open_starts) else reopening_after(schedule, stamp))
    elif in_block:
        reopens = reopening_after(schedule, schedule.block_ends[block])
    elif schedule.hours is not None and not is_open_at(schedule.hours, schedule.tz, at):
        reopens = reopening_after(schedule, stamp)
    else:
        return Answer(at, True)
    if in_block:
        chosen = _deciding_closure(schedule, block, stamp)
        # A partner by day, the answering service at night: outside opening hours the after-hours
        # chain answers, during a vacation too; the closure still gives the reason and the reopening.
        chain = chosen.chain if _within_hours(schedule, at, stamp) else schedule.after_hours_chain
        return Answer(at, False, chain, reopens, chosen.closure)
    return Answer(at, False, schedule.after_hours_chain, reopens)


def _deciding_closure(schedule: Schedule, block: int, stamp: float) -> CoveredClosure:
    """Among the closures covering an instant, the one whose title and chain apply.

    An office named in the event itself beats the default chain (the practice typed it on
    purpose); then the closure that ends last (a lunch break inside a vacation is still the
    vacation to a caller); then the one that started first.
    """
    best: CoveredClosure | None = None
    best_key: tuple[bool, float, float] | None = None
    for index in schedule.block_members[block]:
        item = schedule.covered[index]
        start, end = item.closure.start.timestamp(), item.closure.end.timestamp()
        if start <= stamp < end:
            key = (item.is_chain_from_event, end, -start)
            if best_key is None or key > best_key:
                best, best_key = item, key
    assert best is not None  # the block covers the instant, so one of its closures does
    return best


def reopening_after(schedule: Schedule, stamp: float) -> datetime | None:
    """The first instant at or after `stamp` that is in no closure and inside opening hours."""
    tz = schedule.tz
    instant = datetime.fromtimestamp(stamp, tz)
    for _ in range(_MAX_REOPENING_STEPS):
        block = bisect_right(schedule.block_starts, stamp) - 1
        if block >= 0 and schedule.block_ends[block] > stamp:
            stamp = schedule.block_ends[block]
            instant = datetime.fromtimestamp(stamp, tz)
            continue
        if schedule.hours is not None and not is_open_at(schedule.hours, tz, instant):
            opening = next_opening(schedule.hours, tz, instant)
            if opening is None:
                return None
            instant, stamp = opening, opening.timestamp()
            continue
        return instant
    return None
