"""Errors that make a whole calendar unreadable. A single broken event is a CalendarProblem instead."""
from __future__ import annotations

from typing import Any


class CalendarError(Exception):
    """A calendar source could not be used at all."""

    def __init__(self, source: str, message: str, fix: str = "") -> None:
        self.source = source
        self.message = message
        self.fix = fix
        super().__init__(f"{source}: {message}" + (f" ({fix})" if fix else ""))

    def __reduce__(self) -> tuple[type[CalendarError], tuple[str, str, str]]:
        # Pickled as its three parts: calendars are read in pool processes (calendars.pool).
        return type(self), (self.source, self.message, self.fix)


class SourceUnreachable(CalendarError):
    """The file or address could not be read (missing file, network error, timeout, too large).

    `is_temporary`: trying again later may work (a network error, a 429 or 5xx), and the caller
    backs off, for `retry_after` seconds when the server said so."""

    def __init__(self, source: str, message: str, fix: str = "", *, is_temporary: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(source, message, fix)
        self.is_temporary = is_temporary
        self.retry_after = retry_after

    def __reduce__(self) -> Any:
        return _unreachable, (self.source, self.message, self.fix, self.is_temporary, self.retry_after)


def _unreachable(source: str, message: str, fix: str, is_temporary: bool, retry_after: float | None) -> SourceUnreachable:
    return SourceUnreachable(source, message, fix, is_temporary=is_temporary, retry_after=retry_after)


class NotACalendar(CalendarError):
    """What came back is not iCalendar data: an HTML login page, an error page, an empty answer."""


class OverLimits(CalendarError):
    """Reading it would cost more than Relève gives one calendar (events, time, memory)."""
