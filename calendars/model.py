"""What the calendars package hands out: closures, and the problems met while reading them."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from calendars.messages import said_from_json, said_to_json


def fold(text: str) -> str:
    """Lower-case and strip accents, so that "Fermé" matches "ferme" and "Relève" "releve"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class ClosureFilter:
    """Which events of a shared calendar are closures. Empty means every event is one."""

    categories: tuple[str, ...] = ()
    title_contains: tuple[str, ...] = ()

    @property
    def is_everything(self) -> bool:
        return not self.categories and not self.title_contains

    def accepts(self, summary: str, categories: tuple[str, ...]) -> bool:
        if self.is_everything:
            return True
        wanted = {fold(c) for c in self.categories}
        if any(fold(c) in wanted for c in categories):
            return True
        title = fold(summary)
        return any(fold(word) in title for word in self.title_contains)


@dataclass(frozen=True, slots=True)  # slots: a busy practice holds thousands of these
class Closure:
    """A span of time, from one calendar event, during which the practice is closed.

    `start` and `end` are aware datetimes in the practice's zone; `end` is exclusive.
    `offices` holds the covering offices the event itself names, as typed (ids or names).
    Order and compare closures by instant (`sort_key`, `contains`), never with `<` on the
    datetimes: Python compares two datetimes of the same zone by wall clock, ignoring `fold`,
    which is wrong in the hour repeated when clocks go back.
    """

    start: datetime
    end: datetime
    summary: str = ""
    uid: str = ""
    offices: tuple[str, ...] = ()
    is_all_day: bool = False
    source: str = ""
    notes: str = ""  # the event's description, for the briefing (without the `Relève :` line)

    @property
    def sort_key(self) -> tuple[float, float, str, str]:
        return (self.start.timestamp(), self.end.timestamp(), self.summary, self.uid)

    def contains(self, instant: datetime) -> bool:
        return self.start.timestamp() <= instant.timestamp() < self.end.timestamp()


@dataclass(frozen=True)
class CalendarProblem:
    """Something in a calendar that was skipped or worked around; the rest of it is still used."""

    source: str
    message: str
    uid: str | None = None
    summary: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        what = f' event "{self.summary}"' if self.summary else ""
        return f"{where}:{what} {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "message": said_to_json(self.message), "uid": self.uid,
                "summary": self.summary, "line": self.line}

    @classmethod
    def from_json(cls, value: dict[str, Any] | str) -> CalendarProblem:
        """A stored problem; an older copy stored its sentence only."""
        if isinstance(value, str):
            return cls("", value)
        return cls(value["source"], said_from_json(value["message"]), value.get("uid"), value.get("summary"),
                   value.get("line"))


@dataclass(frozen=True)
class CalendarReading:
    """The closures read from one calendar, and what was wrong in it."""

    closures: tuple[Closure, ...]
    problems: tuple[CalendarProblem, ...] = ()
