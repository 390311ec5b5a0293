"""Errors that make a whole calendar unreadable. A single broken event is a CalendarProblem instead."""
from __future__ import annotations


class CalendarError(Exception):
    """A calendar source could not be used at all."""

    def __init__(self, source: str, message: str, fix: str = "") -> None:
        self.source = source
        self.message = message
        self.fix = fix
        super().__init__(f"{source}: {message}" + (f" ({fix})" if fix else ""))


class SourceUnreachable(CalendarError):
    """The file or address could not be read (missing file, network error, timeout, too large)."""


class NotACalendar(CalendarError):
    """What came back is not iCalendar data: an HTML login page, an error page, an empty answer."""
