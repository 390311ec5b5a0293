"""Calendars expanded in processes of their own: a calendar past its time or memory budget is
refused, its process replaced, and the others are read meanwhile."""
from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from calendars import CalendarReading, OverLimits
from calendars.parse import Limits
from calendars.pool import ExpansionPool, Job
from tests.builders import PARIS, vcalendar, vevent

START, END = datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 12, 31, tzinfo=UTC)
# No limit on rules, as if a future rule slipped past the checks: only the budgets stop it.
UNBOUNDED = Limits(repetitions=10**12, per_event=10**12, per_calendar=10**12)


def _job(data: bytes, name: str, limits: Limits | None = None) -> Job:
    return Job(data, "Europe/Paris", START, END, name, limits=limits or Limits())


SLOW = vcalendar(vevent("Piège", datetime(2026, 11, 2, 9, tzinfo=PARIS), datetime(2026, 11, 2, 9, 0, 1, tzinfo=PARIS),
                        lines=("RRULE:FREQ=SECONDLY",)))
GOOD = vcalendar(vevent("Congés", datetime(2027, 2, 15, tzinfo=PARIS).date(), datetime(2027, 2, 22, tzinfo=PARIS).date()))


@pytest.fixture
def pool():
    made = ExpansionPool(processes=2, seconds=3, memory_mb=300)
    yield made
    made.close()


def test_a_calendar_past_its_time_budget_is_refused_while_the_others_are_read(pool):
    started = time.perf_counter()

    slow, *good = pool.read([_job(SLOW, "slow.ics", UNBOUNDED)] + [_job(GOOD, f"good{n}.ics") for n in range(6)])

    assert isinstance(slow, OverLimits) and "took more than 3 seconds" in slow.message
    assert all(isinstance(r, CalendarReading) and len(r.closures) == 1 for r in good)
    assert time.perf_counter() - started < 10  # the good ones did not wait for the slow one
    again = pool.read([_job(GOOD, "after.ics")])  # its process was replaced
    assert isinstance(again[0], CalendarReading)


def test_a_calendar_past_its_memory_budget_is_refused_and_the_pool_goes_on(pool):
    pool.seconds = 60  # the memory runs out first
    [hungry] = pool.read([_job(SLOW, "hungry.ics", UNBOUNDED)])

    assert isinstance(hungry, OverLimits)
    assert "memory" in hungry.message and "300 MiB" in hungry.message
    assert isinstance(pool.read([_job(GOOD, "after.ics")])[0], CalendarReading)


def test_errors_of_a_calendar_come_back_whole_from_the_pool(pool):
    [refused] = pool.read([_job(b"<html>Session expired</html>", "login.ics")])

    assert refused.message == "this is a web page, not a calendar (a login or error page?)"
    assert "iCal address" in refused.fix
