"""Alerts, fail loud: what is wrong now, as pure functions of what the worker sees and `now`.

A problem has a stable key while it lasts. `changes` compares the problems now with the alerts
still open: a new problem opens an alert (the practice and the administrator are told once), an
open alert whose problem is gone is solved (they are told once more). `coverage.alert_job` reads
the inputs, writes the alerts and queues the emails.
- a calendar not read for longer than `service.calendar_alert_hours` (its error says why);
- a closure in the next `AHEAD` with no covering office to reach: none in its chain, or every one
  of them failing to connect at its last dials (calls would go to voicemail only);
- the contact log failing (events waiting in a spool for more than `SPOOL_LATE`), or outbound
  messages failing (the host's own alerts, and each practice's).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from config.settings import CoveringOffice, Practice
from coverage.periods import CoveragePeriod

AHEAD = timedelta(days=14)
SPOOL_LATE = timedelta(minutes=5)
HOST = ""   # the practice id of the host's own alerts


@dataclass(frozen=True)
class Problem:
    practice_id: str
    key: str
    kind: str            # calendar, no_office, messages, contact_log
    values: tuple[tuple[str, str], ...] = ()   # what the wording needs: the calendar, the error, the dates

    @property
    def facts(self) -> dict[str, str]:
        return dict(self.values)


@dataclass(frozen=True)
class CalendarState:
    label: str
    error: str | None
    failing_since: datetime | None   # when the reading started failing (None: it works)


@dataclass(frozen=True)
class OpenAlert:
    id: int
    practice_id: str
    key: str


def practice_problems(practice: Practice, offices: dict[str, CoveringOffice], calendars: Iterable[CalendarState],
                      periods: Iterable[CoveragePeriod], failed_messages: int, stale_after: timedelta,
                      now: datetime, unreachable: frozenset[str] = frozenset()) -> list[Problem]:
    """`unreachable`: offices whose last dials all failed (a wrong or dead number)."""
    stamp = now.timestamp()
    found = []
    for calendar in calendars:
        if calendar.failing_since is not None and stamp - calendar.failing_since.timestamp() >= stale_after.total_seconds():
            found.append(Problem(practice.id, f"calendar:{calendar.label}", "calendar", (
                ("calendar", calendar.label), ("error", calendar.error or ""),
                ("since", calendar.failing_since.isoformat()))))
    for period in periods:
        if period.end.timestamp() <= stamp or period.start.timestamp() > stamp + AHEAD.total_seconds():
            continue
        if not any(office in offices and offices[office].phone and office not in unreachable
                   for office in period.chain):
            found.append(Problem(practice.id, f"no_office:{period.key}", "no_office", (
                ("closure", period.closure.summary), ("start", period.start.isoformat()),
                ("end", period.end.isoformat()))))
    if failed_messages:
        found.append(Problem(practice.id, "messages", "messages", (("count", str(failed_messages)),)))
    return found


def host_problems(spool_waiting_since: datetime | None, spool_events: int, now: datetime) -> list[Problem]:
    if spool_waiting_since is not None and now.timestamp() - spool_waiting_since.timestamp() >= SPOOL_LATE.total_seconds():
        return [Problem(HOST, "contact_log", "contact_log", (("count", str(spool_events)),
                                                            ("since", spool_waiting_since.isoformat())))]
    return []


def changes(open_alerts: Iterable[OpenAlert], problems: Iterable[Problem],
            practices_seen: set[str]) -> tuple[list[Problem], list[OpenAlert]]:
    """(the problems to open an alert for, the open alerts now solved). An alert of a practice not
    looked at this time (`practices_seen`) stays as it is."""
    current = {(p.practice_id, p.key): p for p in problems}
    opened = {(a.practice_id, a.key): a for a in open_alerts}
    new = [p for k, p in current.items() if k not in opened]
    solved = [a for k, a in opened.items() if k not in current and a.practice_id in practices_seen]
    return new, solved
