"""iCalendar bytes in, closures out: recurrences expanded, times put in the practice's zone.

Every event counts as a closure except a cancelled one. Transparent ("free") events count too:
Google makes all-day events free by default, and holiday feeds mark every day free.
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]
import x_wr_timezone  # type: ignore[import-untyped]
from icalendar.parser import unescape_backslash

from calendars.description import notes_in, offices_named_in
from calendars.errors import NotACalendar
from calendars.model import CalendarProblem, CalendarReading, Closure, ClosureFilter
from calendars.sources import check_is_calendar

# What a broken series can raise from icalendar or recurring-ical-events while being read or
# expanded: any of these skips that series only (the rest of the calendar is still used).
_SERIES_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)
_BEGIN_EVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)


def read_calendar(
    data: bytes,
    *,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    source: str = "",
    selection: ClosureFilter | None = None,
) -> CalendarReading:
    """The closures of a calendar that overlap [start, end), sorted, and the problems met.

    Raise NotACalendar when the data cannot be read as a calendar at all.
    """
    selection = selection or ClosureFilter()
    # recurring-ical-events places all-day dates and floating times in the window's own zone.
    start, end = start.astimezone(tz), end.astimezone(tz)
    check_is_calendar(source, data)
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError) as exc:
        raise NotACalendar(source, f"not a valid iCalendar file: {exc}") from None
    if isinstance(calendar, list):  # several VCALENDARs in one file: icalendar returns a list
        raise NotACalendar(source, "holds several calendars", "export one calendar per file")
    originals = calendar.walk("VEVENT")
    try:
        # Google writes times in UTC with the calendar's zone in X-WR-TIMEZONE; honour it.
        calendar = x_wr_timezone.to_standard(calendar)
    except _SERIES_ERRORS as exc:
        raise NotACalendar(source, f"its X-WR-TIMEZONE cannot be applied: {exc}") from None
    for original, converted in zip(originals, calendar.walk("VEVENT"), strict=True):
        # x-wr-timezone copies the events it changes, and a copy forgets what icalendar could not read.
        converted.errors = original.errors

    lines = _event_lines(data)
    timezones = list(calendar.walk("VTIMEZONE"))
    series: dict[str, list[icalendar.Event]] = defaultdict(list)
    first_line: dict[str, int | None] = {}
    for index, event in enumerate(calendar.walk("VEVENT")):
        uid = str(event.get("UID") or f"(no UID, event #{index + 1})")
        series[uid].append(event)
        first_line.setdefault(uid, lines[index] if index < len(lines) else None)

    closures: list[Closure] = []
    problems: list[CalendarProblem] = []
    for uid, events in series.items():
        summary = str(events[0].get("SUMMARY", "")).strip()
        try:
            closures.extend(_expand_series(uid, events, timezones, tz, start, end, source, selection))
        except _SERIES_ERRORS as exc:
            problems.append(CalendarProblem(source, f"skipped: {_explain(exc)}", uid, summary, first_line[uid]))
        except _NoEnd:
            problems.append(CalendarProblem(
                source, "skipped: it has a start time but no end time or duration", uid, summary, first_line[uid]))
    closures.sort(key=lambda c: c.sort_key)
    return CalendarReading(tuple(closures), tuple(problems))


class _NoEnd(Exception):
    """A timed event without DTEND or DURATION lasts no time at all (RFC 5545): not a closure."""


def _expand_series(
    uid: str,
    events: list[icalendar.Event],
    timezones: list[icalendar.Timezone],
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    source: str,
    selection: ClosureFilter,
) -> list[Closure]:
    """Expand one event and its modified occurrences on their own, so a bad one costs only itself."""
    for event in events:
        for error in getattr(event, "errors", ()):
            # icalendar parses leniently and notes what it could not read.
            if error[0] in ("DTSTART", "DTEND", "RRULE", "DURATION", "RDATE", "EXDATE", "RECURRENCE-ID"):
                raise ValueError(f"its {error[0]} cannot be read ({error[1]})")
        if "DTSTART" in event and "DTEND" in event and (
                _local(event.decoded("DTEND"), tz).timestamp() < _local(event.decoded("DTSTART"), tz).timestamp()):
            # recurring-ical-events would swap them and guess a closure; the practice should fix it.
            raise ValueError("it ends before it starts")
    master = next((e for e in events if "RECURRENCE-ID" not in e), events[0])
    if "DTSTART" not in master:
        raise ValueError("it has no start (DTSTART)")
    if "DTEND" not in master and "DURATION" not in master and not _is_date(master.decoded("DTSTART")):
        raise _NoEnd()

    holder = icalendar.Calendar()
    for component in (*timezones, *events):
        holder.add_component(component)
    occurrences = recurring_ical_events.CalendarQuery(holder).between(start, end)

    found = []
    for occurrence in occurrences:
        if str(occurrence.get("STATUS", "")).upper() == "CANCELLED":
            continue
        summary = str(occurrence.get("SUMMARY", "")).strip()
        if not selection.accepts(summary, _categories(occurrence)):
            continue
        dtstart = occurrence.decoded("DTSTART")
        is_all_day = _is_date(dtstart)
        first = _local(dtstart, tz)
        dtend = occurrence.decoded("DTEND") if "DTEND" in occurrence else None
        last = _local(dtend, tz) if dtend is not None else first
        if is_all_day and last.timestamp() <= first.timestamp():
            # Some holiday feeds write DTEND equal to DTSTART, or none: one whole day.
            last = _local(dtstart + timedelta(days=1), tz)
        if last.timestamp() <= first.timestamp():
            raise ValueError("it lasts no time: it ends when it starts")
        if last.timestamp() <= start.timestamp() or first.timestamp() >= end.timestamp():
            continue
        # Interned: the occurrences of a series share one title and uid instead of a copy each.
        found.append(Closure(first, last, sys.intern(summary), sys.intern(uid), _offices(occurrence), is_all_day,
                             sys.intern(source), sys.intern(_notes(occurrence))))
    return found


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


def _explain(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:200]
