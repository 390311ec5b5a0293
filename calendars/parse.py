"""iCalendar bytes in, closures out: recurrences expanded, times put in the practice's zone.

Every event counts as a closure except a cancelled one. Transparent ("free") events count too:
Google makes all-day events free by default, and holiday feeds mark every day free.

The work a calendar may cost is bounded (`Limits`): how many events and time zone definitions it
holds, how many times a rule repeats from its start to the end of the window (an endless
`FREQ=SECONDLY`, or an hourly rule from year 1), how many occurrences one event and the whole
calendar give. A rule past its bounds is reported and skipped; a calendar past them is refused,
and its last good copy stays in use. The time and memory an expansion may take are bounded by
the process that runs it (`calendars.pool`).
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]
import x_wr_timezone  # type: ignore[import-untyped]
from icalendar.parser import unescape_backslash

from calendars.description import notes_in, offices_named_in
from calendars.errors import NotACalendar, OverLimits
from calendars.messages import Said
from calendars.model import CalendarProblem, CalendarReading, Closure, ClosureFilter
from calendars.sources import check_is_calendar
from calendars.zones import rewrite_display_names

# What a broken series can raise from icalendar or recurring-ical-events while being read or
# expanded: any of these skips that series only (the rest of the calendar is still used).
_SERIES_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)
_BEGIN_EVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)
_BEGIN_TIMEZONE = re.compile(rb"^BEGIN:VTIMEZONE\s*$", re.IGNORECASE | re.MULTILINE)
_TIMEZONE_ID = re.compile(rb"^TZID:([^\r\n]*)", re.IGNORECASE | re.MULTILINE)
_EVERY = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 604800, "MONTHLY": 2629746,
          "YEARLY": 31556952}  # seconds between two repetitions, about
_FINER = {"BYSECOND": 1, "BYMINUTE": 60, "BYHOUR": 3600}


@dataclass(frozen=True)
class Limits:
    """How much work one calendar may cost. A practice's closure calendar is far inside these."""

    events: int = 20_000            # VEVENTs in one calendar
    timezones: int = 200            # VTIMEZONE definitions in one calendar
    repetitions: int = 200_000      # times a rule repeats from its start to the end of the window
    per_event: int = 10_000         # occurrences of one event inside the window
    per_calendar: int = 100_000     # occurrences of all events inside the window


def read_calendar(
    data: bytes,
    *,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    source: str = "",
    selection: ClosureFilter | None = None,
    limits: Limits | None = None,
) -> CalendarReading:
    """The closures of a calendar that overlap [start, end), sorted, and the problems met.

    Raise NotACalendar when the data cannot be read as a calendar at all, and OverLimits when it
    would cost more than `limits`.
    """
    selection = selection or ClosureFilter()
    limits = limits or Limits()
    # recurring-ical-events places all-day dates and floating times in the window's own zone.
    start, end = start.astimezone(tz), end.astimezone(tz)
    check_is_calendar(source, data)
    _check_size(source, data, limits)
    defined = {m.group(1).strip().decode("utf-8", "replace") for m in _TIMEZONE_ID.finditer(data)}
    data, _ = rewrite_display_names(data, defined)
    calendars = _parse(source, data)

    lines = _event_lines(data)
    timezones: list[icalendar.Timezone] = []
    events: list[icalendar.Event] = []
    for calendar in calendars:
        timezones.extend(calendar.walk("VTIMEZONE"))  # type: ignore[arg-type]
        events.extend(calendar.walk("VEVENT"))  # type: ignore[arg-type]
    series: dict[str, list[icalendar.Event]] = defaultdict(list)
    first_line: dict[str, int | None] = {}
    for index, event in enumerate(events):
        uid = str(event.get("UID") or f"(no UID, event #{index + 1})")
        series[uid].append(event)
        first_line.setdefault(uid, lines[index] if index < len(lines) else None)

    closures: list[Closure] = []
    problems: list[CalendarProblem] = []
    for uid, members in series.items():
        summary = str(members[0].get("SUMMARY", "")).strip()
        try:
            found = _expand_series(uid, members, timezones, tz, start, end, source, selection, limits)
        except _SERIES_ERRORS as exc:
            problems.append(CalendarProblem(source, Said("skipped", reason=_explain(exc)), uid, summary,
                                            first_line[uid]))
            continue
        except _Skipped as exc:
            problems.append(CalendarProblem(source, Said("skipped", reason=_explain(exc)), uid, summary,
                                            first_line[uid]))
            continue
        closures.extend(found)
        if len(closures) > limits.per_calendar:
            raise OverLimits(source, Said("too_many_closures", limit=limits.per_calendar), Said("too_many_closures.fix"))
    closures.sort(key=lambda c: c.sort_key)
    return CalendarReading(tuple(closures), tuple(problems))


class _Skipped(Exception):
    """A series Relève does not read, with the sentence that says why."""


def _check_size(source: str, data: bytes, limits: Limits) -> None:
    events = len(_BEGIN_EVENT.findall(data))
    if events > limits.events:
        raise OverLimits(source, Said("too_many_events", count=events, limit=limits.events), Said("too_many_events.fix"))
    zones = len(_BEGIN_TIMEZONE.findall(data))
    if zones > limits.timezones:
        raise OverLimits(source, Said("too_many_zones", count=zones, limit=limits.timezones), Said("too_many_zones.fix"))


def _parse(source: str, data: bytes) -> list[icalendar.Calendar]:
    """Every VCALENDAR of the stream (RFC 5545 allows several), each in standard form."""
    try:
        parsed = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError) as exc:
        raise NotACalendar(source, Said("invalid", detail=str(exc))) from None
    calendars = []
    for calendar in parsed:
        originals = calendar.walk("VEVENT")
        try:
            # Google writes times in UTC with the calendar's zone in X-WR-TIMEZONE; honour it.
            converted = x_wr_timezone.to_standard(calendar)
        except _SERIES_ERRORS as exc:
            raise NotACalendar(source, Said("x_wr_timezone", detail=str(exc))) from None
        for original, copy in zip(originals, converted.walk("VEVENT"), strict=True):
            # x-wr-timezone copies the events it changes, and a copy forgets what icalendar could not read.
            copy.errors = original.errors
        calendars.append(converted)
    if not calendars:
        raise NotACalendar(source, Said("empty"), Said("empty.fix"))
    return calendars


def _expand_series(uid: str, events: list[icalendar.Event], timezones: list[icalendar.Timezone], tz: ZoneInfo,
                   start: datetime, end: datetime, source: str, selection: ClosureFilter,
                   limits: Limits) -> list[Closure]:
    """Expand one event and its modified occurrences on their own, so a bad one costs only itself."""
    for event in events:
        _check_event(event, tz)
    master = next((e for e in events if "RECURRENCE-ID" not in e), events[0])
    if "DTSTART" not in master:
        raise ValueError(Said("no_start"))
    if "DTEND" not in master and "DURATION" not in master and not _is_date(master.decoded("DTSTART")):
        raise _Skipped(Said("no_end"))
    _check_repetitions(master, end, limits)

    holder = icalendar.Calendar()
    for component in (*timezones, *events):
        holder.add_component(component)
    found = []
    properties: dict[int, tuple[bool, str, tuple[str, ...], tuple[str, ...], str]] = {}
    for first_value, last_value, component in _occurrences(recurring_ical_events.CalendarQuery(holder), start, end,
                                                          limits.per_event):
        known = properties.get(id(component))
        if known is None:
            known = properties[id(component)] = (
                str(component.get("STATUS", "")).upper() == "CANCELLED", str(component.get("SUMMARY", "")).strip(),
                _categories(component), _offices(component), _notes(component))
        is_cancelled, summary, categories, offices, notes = known
        if is_cancelled or not selection.accepts(summary, categories):
            continue
        is_all_day = _is_date(first_value)
        first = _local(first_value, tz)
        last = _local(last_value, tz) if last_value is not None else first
        if is_all_day and last.timestamp() <= first.timestamp():
            # Some holiday feeds write DTEND equal to DTSTART, or none: one whole day.
            last = _local(first_value + timedelta(days=1), tz)
        if last.timestamp() <= first.timestamp():
            raise ValueError(Said("no_time"))
        if last.timestamp() <= start.timestamp() or first.timestamp() >= end.timestamp():
            continue
        # Interned: the occurrences of a series share one title and uid instead of a copy each.
        found.append(Closure(first, last, sys.intern(summary), sys.intern(uid), offices, is_all_day,
                             sys.intern(source), sys.intern(notes)))
    return found


def _check_event(event: icalendar.Event, tz: ZoneInfo) -> None:
    for error in getattr(event, "errors", ()):
        # icalendar parses leniently and notes what it could not read.
        if error[0] in ("DTSTART", "DTEND", "RRULE", "DURATION", "RDATE", "EXDATE", "RECURRENCE-ID"):
            raise ValueError(Said("unreadable_property", name=error[0], detail=error[1]))
    _one_zone_for_both_ends(event)
    if "DURATION" in event:
        duration = event.decoded("DURATION")
        if isinstance(duration, timedelta) and duration < timedelta(0):
            written = event["DURATION"].to_ical()
            written = written.decode() if isinstance(written, bytes) else str(written)
            raise ValueError(Said("negative_duration", written=written))
    if "DTSTART" in event and "DTEND" in event and (
            _local(event.decoded("DTEND"), tz).timestamp() < _local(event.decoded("DTSTART"), tz).timestamp()):
        # recurring-ical-events would swap them and guess a closure; the practice should fix it.
        raise ValueError(Said("ends_before"))


def _one_zone_for_both_ends(event: icalendar.Event) -> None:
    """A floating start with a zoned end (or the reverse) is read in the zone the event does
    give, whatever the practice's zone: the same instants for every practice that reads it."""
    if "DTSTART" not in event or "DTEND" not in event:
        return
    first, last = event.decoded("DTSTART"), event.decoded("DTEND")
    if not (isinstance(first, datetime) and isinstance(last, datetime)):
        return
    if first.tzinfo is None and last.tzinfo is not None:
        _replace(event, "DTSTART", first.replace(tzinfo=last.tzinfo))
    elif last.tzinfo is None and first.tzinfo is not None:
        _replace(event, "DTEND", last.replace(tzinfo=first.tzinfo))


def _replace(event: icalendar.Event, name: str, value: datetime) -> None:
    event.pop(name)
    event.add(name, value)


def _check_repetitions(master: icalendar.Event, end: datetime, limits: Limits) -> None:
    """Refuse, before expanding it, a rule that repeats more often than Relève reads: expanding
    walks every repetition from the rule's start, even those long before the window."""
    rule = master.get("RRULE")
    if rule is None:
        return
    for each in rule if isinstance(rule, list) else [rule]:
        frequency = str((each.get("FREQ") or ["?"])[0]).upper()
        if frequency not in _EVERY:
            continue
        seconds, every = _EVERY[frequency], Said(f"every.{frequency}")
        interval = max(int((each.get("INTERVAL") or [1])[0]), 1)
        first = master.decoded("DTSTART")
        first = datetime.combine(first, time(0), UTC) if _is_date(first) else first
        first = first if first.tzinfo is not None else first.replace(tzinfo=UTC)
        until = each.get("UNTIL")
        last = end
        if until:
            stop = until[0]
            stop = datetime.combine(stop, time(0), UTC) if _is_date(stop) else stop
            stop = stop if stop.tzinfo is not None else stop.replace(tzinfo=UTC)
            last = min(last, stop, key=datetime.timestamp)
        span = max(last.timestamp() - first.timestamp(), 0.0)
        repetitions = span / (seconds * interval)
        for name, finer in _FINER.items():
            if finer < seconds and each.get(name):
                repetitions *= len(each[name])
        count = each.get("COUNT")
        if count:
            repetitions = min(repetitions, float(count[0]))
        if repetitions > limits.repetitions:
            values = {"every": every, "count": _count(repetitions), "limit": _count(limits.per_event)}
            if first.timestamp() < end.timestamp() - 366 * 86400:
                raise _Skipped(Said("repeats_too_often_since", year=first.year, **values))
            raise _Skipped(Said("repeats_too_often", **values))


def _occurrences(query: Any, start: datetime, end: datetime,
                 cap: int) -> Iterator[tuple[date | datetime, date | datetime | None, icalendar.Event]]:
    """(start, end, component) of each occurrence in the window, at most `cap` of them.

    The occurrences are read as recurring-ical-events computes them, without the copy of the
    whole event it makes for each one (the costly part of reading a calendar); the component is
    the event itself or its modified occurrence. Should that inner API change, the documented
    one is used instead.
    """
    series_list = getattr(query, "series", None)
    count = 0
    if series_list is None:  # pragma: no cover - an older or newer recurring-ical-events
        for component in query.between(start, end):
            count += 1
            if count > cap:
                raise _Skipped(Said("too_many_occurrences", limit=_count(cap)))
            dtend = component.decoded("DTEND") if "DTEND" in component else None
            yield component.decoded("DTSTART"), dtend, component
        return
    for series in series_list:
        for occurrence in series.between(start, end):
            count += 1
            if count > cap:
                raise _Skipped(Said("too_many_occurrences_max", limit=_count(cap)))
            adapter = getattr(occurrence, "_adapter", None)
            component = getattr(adapter, "_component", None)
            if component is None:  # pragma: no cover - see above
                component = occurrence.as_component(False)
            yield occurrence.start, occurrence.end, component


def _count(value: float) -> str:
    return f"{int(value):,}".replace(",", " ")


def _is_date(value: date | datetime) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _local(value: date | datetime, tz: ZoneInfo) -> datetime:
    """An aware datetime in the practice's zone.

    An all-day date starts at local midnight. A floating time is the practice's local time.
    A local time that does not exist (skipped when clocks go forward) is moved forward by the
    gap, as a person reading their watch would: the round trip through UTC does that, also for a
    time already in `tz` (astimezone to its own zone would keep the time that does not exist).
    """
    if _is_date(value):
        value = datetime.combine(value, time(0))
    assert isinstance(value, datetime)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC).astimezone(tz)


def _categories(event: icalendar.Event) -> tuple[str, ...]:
    raw = event.get("CATEGORIES")
    if raw is None:
        return ()
    groups = raw if isinstance(raw, list) else [raw]
    names: list[str] = []
    for group in groups:
        names.extend(str(c) for c in getattr(group, "cats", [group]))
    return tuple(n.strip() for n in names if str(n).strip())


def _offices(event: icalendar.Event) -> tuple[str, ...]:
    for name in ("DESCRIPTION", "X-ALT-DESC"):
        if name in event:
            value = event[name]
            # icalendar keeps an X- property verbatim, but Outlook escapes X-ALT-DESC as text (\; and \,).
            text = str(value) if isinstance(value, icalendar.vText) else unescape_backslash(str(value))
            offices = offices_named_in(text)
            if offices:
                return offices
    return ()


def _notes(event: icalendar.Event) -> str:
    if "DESCRIPTION" not in event:
        return ""
    return notes_in(str(event["DESCRIPTION"]))


def _event_lines(data: bytes) -> list[int]:
    """The 1-based line of each BEGIN:VEVENT, in document order, to point a practice at it."""
    return [data.count(b"\n", 0, match.start()) + 1 for match in _BEGIN_EVENT.finditer(data)]


def _explain(exc: Exception) -> Said:
    """Why an event was skipped: Relève's own sentence, or what the library said."""
    if exc.args and isinstance(exc.args[0], Said):
        return exc.args[0]
    return Said("detail", detail=(str(exc).strip() or type(exc).__name__)[:200])
