"""Weekly opening hours: is the practice open at an instant, and when does it next open."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from config.settings import OpeningHours


def local_at(day: date, seconds: int, tz: ZoneInfo) -> datetime:
    """The instant of a wall-clock time on a local day.

    DST: a wall time skipped when clocks go forward (02:30 on the last Sunday of March in Paris)
    becomes the instant the clocks jumped to plus the same offset (03:30), as a person reading
    their watch would; the round trip through UTC does that. A repeated wall time (autumn) takes
    its first occurrence (fold=0).
    """
    naive = datetime.combine(day, time(0)) + timedelta(seconds=seconds)
    return naive.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)


def is_open_at(hours: OpeningHours, tz: ZoneInfo, instant: datetime) -> bool:
    """Whether `instant` falls inside the practice's weekly opening hours."""
    local = instant.astimezone(tz)
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return any(start <= seconds < end for start, end in hours.days[local.weekday()])


def next_opening(hours: OpeningHours, tz: ZoneInfo, instant: datetime) -> datetime | None:
    """The first instant at or after `instant` inside the opening hours; None if never open."""
    local = instant.astimezone(tz)
    today = local.date()
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    for offset in range(8):
        day = today + timedelta(days=offset)
        for start, end in hours.days[day.weekday()]:
            if offset == 0 and start <= seconds < end:
                return instant
            candidate = local_at(day, start, tz)
            if candidate > instant:
                return candidate
    return None
