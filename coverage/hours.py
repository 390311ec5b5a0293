"""Weekly opening hours: is the practice open at an instant, and when does it next open.

An opening range "08:30-12:30" on a day is the span of instants from `local_at(day, 08:30)` to
`local_at(day, 12:30)`. Defining it on instants, not on what the wall clock reads, keeps every
answer consistent across DST changes (see `local_at` for the two odd nights of the year).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.settings import OpeningHours


def local_at(day: date, seconds: int, tz: ZoneInfo) -> datetime:
    """The first instant at which the wall clock on `day` reads `seconds` past midnight, or later.

    DST: when clocks go forward (02:00 -> 03:00 on the last Sunday of March in Paris), a time in
    the skipped hour, such as 02:30, gives the instant the clocks jumped (03:00 summer time): the
    practice opens as soon as that time has come. When clocks go back, a repeated time takes its
    first occurrence (fold=0), so "08:30-12:30" is never counted twice.
    """
    naive = datetime.combine(day, time(0)) + timedelta(seconds=seconds)
    first = naive.replace(tzinfo=tz)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # In the skipped hour: the jump lies between reading the time with the offset after the
    # change (fold=1, too early) and with the offset before it (fold=0, too late).
    low = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first.astimezone(UTC)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return high.astimezone(tz)


def opening_spans(hours: OpeningHours, tz: ZoneInfo, first: date, last: date) -> Iterator[tuple[datetime, datetime]]:
    """Every opening range from day `first` to day `last` included, as instants, in order."""
    day = first
    while day <= last:
        for start, end in hours.days[day.weekday()]:
            yield local_at(day, start, tz), local_at(day, end, tz)
        day += timedelta(days=1)


def is_open_at(hours: OpeningHours, tz: ZoneInfo, instant: datetime) -> bool:
    """Whether `instant` falls inside the practice's weekly opening hours."""
    today = instant.astimezone(tz).date()
    # Compared as timestamps: Python compares two datetimes of the same zone by wall clock,
    # which is wrong in the hour repeated when clocks go back.
    stamp = instant.timestamp()
    # A range of yesterday may run to midnight, and midnight may move on a DST night: look at both.
    return any(start.timestamp() <= stamp < end.timestamp()
               for start, end in opening_spans(hours, tz, today - timedelta(days=1), today))


def next_opening(hours: OpeningHours, tz: ZoneInfo, instant: datetime) -> datetime | None:
    """The first instant at or after `instant` inside the opening hours; None if never open."""
    today = instant.astimezone(tz).date()
    stamp = instant.timestamp()  # see is_open_at: never compare same-zone datetimes directly
    # Two weeks ahead, not one: a weekly range inside the hour skipped in spring (Sunday
    # 02:00-02:30) does not happen that week, and the next opening is a week later.
    for start, end in opening_spans(hours, tz, today - timedelta(days=1), today + timedelta(days=15)):
        first, last = start.timestamp(), end.timestamp()
        if first <= stamp < last:
            return instant
        if stamp < first < last:
            return start
    return None
