"""The coverage plan: the closures ahead, who covers each, and when the practice reopens."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from calendars.model import Closure
from coverage.schedule import CoveredClosure, Schedule, is_inside_another, reopening_after


@dataclass(frozen=True)
class PlanEntry:
    """One closure, or a series of them (a weekly lunch break), in the plan."""

    first: Closure
    last: Closure
    count: int
    chain: tuple[str, ...]
    reopens_at: datetime | None  # after the first occurrence

    @property
    def is_series(self) -> bool:
        return self.count > 1


def coverage_plan(schedule: Schedule, start: datetime, end: datetime) -> tuple[PlanEntry, ...]:
    """Closures overlapping [start, end), in order.

    A closure wholly inside a longer one (the lunch breaks of a vacation week) adds nothing for
    the practice or its covering office and is left out; the occurrences of one recurring event
    are shown as one entry.
    """
    window = [schedule.covered_closure(i) for i in schedule.between(start.timestamp(), end.timestamp())]
    visible = [c for c in window if not is_inside_another(c, window)]
    entries: dict[tuple[str, str, tuple[str, ...]], list[CoveredClosure]] = {}
    for item in visible:
        key = (item.closure.uid, item.closure.summary, item.chain)
        entries.setdefault(key, []).append(item)
    plan = [
        PlanEntry(
            first=items[0].closure,
            last=items[-1].closure,
            count=len(items),
            chain=items[0].chain,
            reopens_at=reopening_after(schedule, items[0].closure.end.timestamp()),
        )
        for items in entries.values()
    ]
    plan.sort(key=lambda e: e.first.sort_key)
    return tuple(plan)
