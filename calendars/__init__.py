"""iCalendar sources (files, URLs) in, closures out. No Flask, no Twilio."""
from __future__ import annotations

from calendars.errors import CalendarError, NotACalendar, OverLimits, SourceUnreachable
from calendars.model import CalendarProblem, CalendarReading, Closure, ClosureFilter
from calendars.parse import read_calendar
from calendars.sources import read_source

__all__ = [
    "CalendarError", "CalendarProblem", "CalendarReading", "Closure", "ClosureFilter",
    "NotACalendar", "OverLimits", "SourceUnreachable", "read_calendar", "read_source",
]
