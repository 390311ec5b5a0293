"""iCalendar sources (files, URLs) in, closures out. No Flask, no Twilio.

`read_calendar` and `read_source` are loaded at their first use: web processes use the model and
the errors only, and never load icalendar or an HTTP client.
"""
from __future__ import annotations

from typing import Any

from calendars.errors import CalendarError, NotACalendar, OverLimits, SourceUnreachable
from calendars.model import CalendarProblem, CalendarReading, Closure, ClosureFilter

__all__ = [
    "CalendarError", "CalendarProblem", "CalendarReading", "Closure", "ClosureFilter",
    "NotACalendar", "OverLimits", "SourceUnreachable", "read_calendar", "read_source",
]


def __getattr__(name: str) -> Any:
    if name == "read_calendar":
        from calendars.parse import read_calendar

        return read_calendar
    if name == "read_source":
        from calendars.sources import read_source

        return read_source
    raise AttributeError(f"module 'calendars' has no attribute {name!r}")
