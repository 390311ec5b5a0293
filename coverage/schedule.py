"""Who covers when: given a practice's closures and an instant, open or closed, and by whom.

Pure functions over frozen data: `build_schedule` once when calendars are (re)read, then
`resolve_coverage` at each call. Over the window the calendars were read for, the schedule holds
the instants the practice is open, so an answer is two binary searches; outside it (a far-off
date asked on the command line) the same answer is worked out step by step.

A schedule is columnar: its closures are arrays of instants and indexes into tables of titles
and chains, not objects. The worker stores it in the database as bytes (`encode`), and each web
process decodes it in well under a millisecond (`decode`) and holds it in a fraction of the
memory objects would take. A closure becomes a `Closure` only when an answer or a page needs it.
"""
from __future__ import annotations

import json
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from calendars.messages import Said
from calendars.model import CalendarProblem, Closure, fold
from config.settings import CoveringOffice, OpeningHours, Practice
from coverage.hours import is_open_at, next_opening, opening_spans

# Closures chained back to back, plus nights outside opening hours, are walked one by one when
# looking for the reopening; this bounds the walk for a calendar that never reopens.
_MAX_REOPENING_STEPS = 10_000
_ALL_DAY, _FROM_EVENT = 1, 2
FORMAT = 1  # of `encode`; a schedule of another format is built again by the worker


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


class Schedule:
    """A practice's closures, merged into blocks, ready to answer at any instant.

    Closures are sorted by start: closure i runs from `starts[i]` to `ends[i]` (POSIX timestamps),
    its title is `texts[summary_of[i]]`, its chain `chains[chain_of[i]]`. Overlapping or back-to-back
    closures form blocks; block k holds closures `block_first[k]` to `block_first[k + 1] - 1`.
    Within [window_start, window_end), `open_starts`/`open_ends` are the spans when the practice is
    open (opening hours minus closures) and `hour_starts`/`hour_ends` the opening hours alone.
    """

    __slots__ = ("tz", "hours", "after_hours_chain", "starts", "ends", "texts", "summary_of", "uid_of",
                 "source_of", "notes_of", "named", "named_of", "chains", "chain_of", "flags", "block_starts",
                 "block_ends", "block_first", "window_start", "window_end", "open_starts", "open_ends",
                 "hour_starts", "hour_ends", "__dict__")

    def __init__(self, *, tz: ZoneInfo, hours: OpeningHours | None, after_hours_chain: tuple[str, ...],
                 starts: array[float], ends: array[float], texts: tuple[str, ...], summary_of: array[int],
                 uid_of: array[int], source_of: array[int], notes_of: array[int], named: tuple[tuple[str, ...], ...],
                 named_of: array[int], chains: tuple[tuple[str, ...], ...], chain_of: array[int], flags: bytes,
                 block_starts: array[float], block_ends: array[float], block_first: array[int],
                 window_start: float, window_end: float, open_starts: array[float], open_ends: array[float],
                 hour_starts: array[float], hour_ends: array[float]) -> None:
        self.tz, self.hours, self.after_hours_chain = tz, hours, after_hours_chain
        self.starts, self.ends, self.texts = starts, ends, texts
        self.summary_of, self.uid_of, self.source_of, self.notes_of = summary_of, uid_of, source_of, notes_of
        self.named, self.named_of, self.chains, self.chain_of, self.flags = named, named_of, chains, chain_of, flags
        self.block_starts, self.block_ends, self.block_first = block_starts, block_ends, block_first
        self.window_start, self.window_end = window_start, window_end
        self.open_starts, self.open_ends, self.hour_starts, self.hour_ends = open_starts, open_ends, hour_starts, hour_ends

    def __len__(self) -> int:
        return len(self.starts)

    def replaced(self, **changes: object) -> Schedule:
        """A copy with some fields changed (a test drops the precomputed window this way)."""
        fields = {name: getattr(self, name) for name in self.__slots__ if name != "__dict__"}
        return Schedule(**{**fields, **changes})

    def closure(self, index: int) -> Closure:
        """Closure `index` as an object, in the practice's zone."""
        texts, flags = self.texts, self.flags[index]
        return Closure(datetime.fromtimestamp(self.starts[index], self.tz), datetime.fromtimestamp(self.ends[index], self.tz),
                       texts[self.summary_of[index]], texts[self.uid_of[index]], self.named[self.named_of[index]],
                       bool(flags & _ALL_DAY), texts[self.source_of[index]], texts[self.notes_of[index]])

    def covered_closure(self, index: int) -> CoveredClosure:
        return CoveredClosure(self.closure(index), self.chains[self.chain_of[index]],
                              bool(self.flags[index] & _FROM_EVENT))

    def between(self, start: float, end: float) -> list[int]:
        """The indexes of the closures that overlap [start, end)."""
        last = bisect_left(self.starts, end)
        return [i for i in range(last) if self.ends[i] > start]

    @cached_property
    def covered(self) -> tuple[CoveredClosure, ...]:
        """Every closure as objects (pages, plans and tests; answers do without)."""
        return tuple(self.covered_closure(i) for i in range(len(self.starts)))


def match_office(name: str, offices: Mapping[str, CoveringOffice]) -> str | None:
    """The id of the office a practice named in an event: by id, written or spoken name."""
    wanted = fold(name).strip()
    for office in offices.values():
        if wanted in (fold(office.id), fold(office.name.written), fold(office.name.spoken)):
            return office.id
    return None


class _Table:
    """Distinct values, each given an index once."""

    def __init__(self) -> None:
        self.values: list[object] = []
        self._index: dict[object, int] = {}

    def __call__(self, value: object) -> int:
        found = self._index.get(value)
        if found is None:
            found = self._index[value] = len(self.values)
            self.values.append(value)
        return found


def build_schedule(
    practice: Practice,
    closures: Sequence[Closure],
    offices: Mapping[str, CoveringOffice],
    window: tuple[datetime, datetime] | None = None,
) -> tuple[Schedule, tuple[CalendarProblem, ...]]:
    """Attach a coverage chain to every closure and merge them; report unknown office names.

    `window` is the span the calendars were read for (default: around the closures given).
    """
    problems: list[CalendarProblem] = []
    reported: set[tuple[str, str]] = set()
    texts, named, chains = _Table(), _Table(), _Table()
    texts("")
    starts, ends = array("d"), array("d")
    summary_of, uid_of, source_of, notes_of = array("I"), array("I"), array("I"), array("I")
    named_of, chain_of, flags = array("I"), array("I"), bytearray()
    ordered = sorted(closures, key=lambda c: c.sort_key)
    for closure in ordered:
        chain = tuple(dict.fromkeys(
            office_id for office_id in (match_office(n, offices) for n in closure.offices) if office_id))
        for name in closure.offices:
            if match_office(name, offices) is None and (closure.uid, name) not in reported:
                reported.add((closure.uid, name))
                problems.append(CalendarProblem(
                    closure.source, Said("unknown_office", name=name, chain=", ".join(practice.closure_chain)),
                    closure.uid, closure.summary))
        starts.append(closure.start.timestamp())
        ends.append(closure.end.timestamp())
        summary_of.append(texts(closure.summary))
        uid_of.append(texts(closure.uid))
        source_of.append(texts(closure.source))
        notes_of.append(texts(closure.notes))
        named_of.append(named(tuple(closure.offices)))
        chain_of.append(chains(chain or practice.closure_chain))
        flags.append((_ALL_DAY if closure.is_all_day else 0) | (_FROM_EVENT if chain else 0))

    block_starts, block_ends, block_first = array("d"), array("d"), array("I")
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if block_starts and start <= block_ends[-1]:  # overlapping or back to back: one block
            block_ends[-1] = max(block_ends[-1], end)
        else:
            block_starts.append(start)
            block_ends.append(end)
            block_first.append(index)
    if window is None and ordered:
        window = (ordered[0].start - timedelta(days=1),
                  max((c.end for c in ordered), key=datetime.timestamp) + timedelta(days=8))
    hours = _hour_spans(practice, window) if window else []
    open_spans = _open_spans(hours, block_starts, block_ends)
    schedule = Schedule(
        tz=practice.timezone, hours=practice.opening_hours, after_hours_chain=practice.after_hours_chain,
        starts=starts, ends=ends, texts=tuple(str(t) for t in texts.values), summary_of=summary_of, uid_of=uid_of,
        source_of=source_of, notes_of=notes_of, named=tuple(n for n in named.values if isinstance(n, tuple)),
        named_of=named_of, chains=tuple(c for c in chains.values if isinstance(c, tuple)), chain_of=chain_of,
        flags=bytes(flags), block_starts=block_starts, block_ends=block_ends, block_first=block_first,
        window_start=window[0].timestamp() if window else 0.0, window_end=window[1].timestamp() if window else 0.0,
        open_starts=array("d", (a for a, _ in open_spans)), open_ends=array("d", (b for _, b in open_spans)),
        hour_starts=array("d", (a for a, _ in hours)), hour_ends=array("d", (b for _, b in hours)))
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


def _open_spans(hours: list[tuple[float, float]], block_starts: Sequence[float],
                block_ends: Sequence[float]) -> list[tuple[float, float]]:
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


def is_within_hours(schedule: Schedule, at: datetime) -> bool:
    """Whether `at` is inside the practice's weekly opening hours, closures aside."""
    return _within_hours(schedule, at, at.timestamp())


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
        chain = schedule.chains[schedule.chain_of[chosen]] if _within_hours(schedule, at, stamp) \
            else schedule.after_hours_chain
        return Answer(at, False, chain, reopens, schedule.closure(chosen))
    return Answer(at, False, schedule.after_hours_chain, reopens)


def _deciding_closure(schedule: Schedule, block: int, stamp: float) -> int:
    """Among the closures covering an instant, the one whose title and chain apply.

    An office named in the event itself beats the default chain (the practice typed it on
    purpose); then the closure that ends last (a lunch break inside a vacation is still the
    vacation to a caller); then the one that started first.
    """
    first = schedule.block_first[block]
    last = schedule.block_first[block + 1] if block + 1 < len(schedule.block_first) else len(schedule.starts)
    best, best_key = -1, (False, 0.0, 0.0)
    for index in range(first, last):
        start, end = schedule.starts[index], schedule.ends[index]
        if start <= stamp < end:
            key = (bool(schedule.flags[index] & _FROM_EVENT), end, -start)
            if best < 0 or key > best_key:
                best, best_key = index, key
    assert best >= 0  # the block covers the instant, so one of its closures does
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


# -- the weeks ahead, for the webhooks ------------------------------------------------------------

def sliced(schedule: Schedule, start: float, end: float) -> Schedule:
    """The schedule of [start, end) only: the blocks of closures that overlap it (whole, with
    every closure and the tables they name), and the open and opening-hour spans within it.

    The worker stores the coming weeks this way beside the whole schedule: a webhook reads a
    tenth of the bytes, and `resolve_near` tells when that is not enough.
    """
    first_block = bisect_right(schedule.block_ends, start)
    last_block = bisect_left(schedule.block_starts, end)  # blocks first_block .. last_block - 1
    blocks = range(first_block, last_block)
    if blocks:
        first = schedule.block_first[first_block]
        last = schedule.block_first[last_block] if last_block < len(schedule.block_first) else len(schedule.starts)
    else:
        first = last = 0
    texts, named, chains = _Table(), _Table(), _Table()
    texts("")

    def taken(values: Sequence[int], table: Sequence[object], into: _Table) -> array[int]:
        return array("I", (into(table[values[i]]) for i in range(first, last)))

    summary_of = taken(schedule.summary_of, schedule.texts, texts)
    uid_of = taken(schedule.uid_of, schedule.texts, texts)
    source_of = taken(schedule.source_of, schedule.texts, texts)
    notes_of = taken(schedule.notes_of, schedule.texts, texts)
    named_of = taken(schedule.named_of, schedule.named, named)
    chain_of = taken(schedule.chain_of, schedule.chains, chains)

    def spans(starts: array[float], ends: array[float]) -> tuple[array[float], array[float]]:
        a, b = bisect_right(ends, start), bisect_left(starts, end)
        return starts[a:b], ends[a:b]

    open_starts, open_ends = spans(schedule.open_starts, schedule.open_ends)
    hour_starts, hour_ends = spans(schedule.hour_starts, schedule.hour_ends)
    window_start, window_end = max(start, schedule.window_start), min(end, schedule.window_end)
    if window_start >= window_end:
        window_start = window_end = 0.0
    return Schedule(
        tz=schedule.tz, hours=schedule.hours, after_hours_chain=schedule.after_hours_chain,
        starts=schedule.starts[first:last], ends=schedule.ends[first:last], texts=tuple(str(t) for t in texts.values),
        summary_of=summary_of, uid_of=uid_of, source_of=source_of, notes_of=notes_of,
        named=tuple(n for n in named.values if isinstance(n, tuple)), named_of=named_of,
        chains=tuple(c for c in chains.values if isinstance(c, tuple)), chain_of=chain_of,
        flags=schedule.flags[first:last], block_starts=schedule.block_starts[first_block:last_block],
        block_ends=schedule.block_ends[first_block:last_block],
        block_first=array("I", (schedule.block_first[k] - first for k in blocks)),
        window_start=window_start, window_end=window_end, open_starts=open_starts, open_ends=open_ends,
        hour_starts=hour_starts, hour_ends=hour_ends)


def resolve_near(near: Schedule, at: datetime) -> Answer | None:
    """The answer from the weeks ahead (`sliced`), or None when they cannot tell: an instant
    outside them, or a reopening beyond them (a long closure), which the whole schedule knows."""
    stamp = at.timestamp()
    if not near.window_start <= stamp < near.window_end:
        return None
    answer = resolve_coverage(near, at)
    if answer.is_open:
        return answer
    # Within the window, a reopening found among its own open spans is the true one; any other
    # (none, or one worked out past them) needs what comes after the window.
    if answer.reopens_at is None or not near.open_starts or answer.reopens_at.timestamp() > near.open_starts[-1]:
        return None
    return answer


def holds_until(near: Schedule, at: datetime) -> float:
    """The first instant after `at` (a timestamp) at which the answer `resolve_near` gives may
    change: a closure, an open span or an opening-hour span starting or ending, the end of the
    weeks held, or midnight in the practice's zone (a greeting says « demain » from the day).
    Between `at` and then, the same answer holds; a webhook keeps it that long. `at` itself
    when the weeks held cannot tell (`resolve_near` is None there)."""
    stamp = at.timestamp()
    if not near.window_start <= stamp < near.window_end:
        return stamp
    found = near.window_end
    for edges in (near.starts, near.block_starts, near.block_ends, near.open_starts, near.open_ends,
                  near.hour_starts, near.hour_ends):  # each sorted
        index = bisect_right(edges, stamp)
        if index < len(edges) and edges[index] < found:
            found = edges[index]
    for end in near.ends:  # closures are sorted by start, not by end
        if stamp < end < found:
            found = end
    local = at.astimezone(near.tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), near.tz).timestamp()
    return min(found, midnight)


# -- the schedule as bytes, for the database -------------------------------------------------------

_ARRAYS = ("starts", "ends", "summary_of", "uid_of", "source_of", "notes_of", "named_of", "chain_of",
           "block_starts", "block_ends", "block_first", "open_starts", "open_ends", "hour_starts", "hour_ends")


def encode(schedule: Schedule) -> bytes:
    """The schedule as bytes: a JSON head (zone, hours, tables) and the arrays, compressed."""
    head = {
        "format": FORMAT, "tz": schedule.tz.key, "hours": [list(map(list, day)) for day in schedule.hours.days]
        if schedule.hours else None, "after_hours_chain": list(schedule.after_hours_chain),
        "texts": list(schedule.texts), "named": [list(n) for n in schedule.named],
        "chains": [list(c) for c in schedule.chains], "window": [schedule.window_start, schedule.window_end],
        "arrays": {name: [getattr(schedule, name).typecode, len(getattr(schedule, name))] for name in _ARRAYS},
        "flags": len(schedule.flags),
    }
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = b"".join(getattr(schedule, name).tobytes() for name in _ARRAYS) + schedule.flags
    return zlib.compress(len(text).to_bytes(4, "big") + text + body, 6)


def decode(data: bytes) -> Schedule:
    """A schedule from `encode`'s bytes; raise ValueError when they are not one of this format."""
    raw = zlib.decompress(data)
    size = int.from_bytes(raw[:4], "big")
    head = json.loads(raw[4:4 + size])
    if head.get("format") != FORMAT:
        raise ValueError(f"schedule of format {head.get('format')}, not {FORMAT}")
    offset = 4 + size
    arrays: dict[str, array[float] | array[int]] = {}
    for name in _ARRAYS:
        typecode, length = head["arrays"][name]
        values = array(typecode)
        end = offset + length * values.itemsize
        values.frombytes(raw[offset:end])
        arrays[name] = values
        offset = end
    flags = raw[offset:offset + head["flags"]]
    hours = OpeningHours(tuple(tuple((int(a), int(b)) for a, b in day) for day in head["hours"])) \
        if head["hours"] is not None else None
    return Schedule(tz=ZoneInfo(head["tz"]), hours=hours, after_hours_chain=tuple(head["after_hours_chain"]),
                    texts=tuple(head["texts"]), named=tuple(tuple(n) for n in head["named"]),
                    chains=tuple(tuple(c) for c in head["chains"]), flags=bytes(flags),
                    window_start=float(head["window"][0]), window_end=float(head["window"][1]),
                    **arrays)  # type: ignore[arg-type]
