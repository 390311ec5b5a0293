"""`make bench`: the figures the issues ask for, measured in one run.

1. Deciding who covers at an instant (three years of weekly lunch closures, vacations, holidays):
   median per call once loaded, and the ratio against asking recurring-ical-events afresh.
2. One incoming-call webhook in process, against a bare Flask handler (ratio).
3. Loading and expanding calendars for 1,000 practices of 200 events each: total time, and
   memory per practice.
"""
from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import recurring_ical_events

from calendars.parse import read_calendar
from config.settings import CalendarSource
from coverage.schedule import build_schedule, resolve_coverage
from tests.bench.calendars import practice_calendar, three_years_of_a_dentist
from tests.bench.webhook import bench_webhook
from tests.builders import PARIS, hm, practice, settings, weekdays
from tests.reading import Reading


def _resident_bytes() -> int:
    """The process's resident set, from /proc (Linux), after a collection."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _median_ns(function, instants) -> float:
    timings = []
    clock = time.perf_counter_ns
    for instant in instants:
        started = clock()
        function(instant)
        timings.append(clock() - started)
    return statistics.median(timings)


def bench_resolve() -> None:
    data = three_years_of_a_dentist()
    start = datetime(2026, 1, 1, tzinfo=PARIS)
    end = datetime(2029, 1, 1, tzinfo=PARIS)
    reading = read_calendar(data, tz=PARIS, start=start, end=end)
    config = settings(practice(opening_hours=weekdays((hm(8, 30), hm(19)), saturday=((hm(9), hm(12)),))))
    schedule, _ = build_schedule(config.practices[0], reading.closures, config.offices)
    rng = random.Random(7)
    span = (end - start).total_seconds()
    instants = [start + timedelta(seconds=rng.uniform(0, span)) for _ in range(50_000)]

    for instant in instants[:1000]:  # warm up
        resolve_coverage(schedule, instant)
    ours = _median_ns(lambda t: resolve_coverage(schedule, t), instants)

    calendar = icalendar.Calendar.from_ical(data)
    theirs = _median_ns(lambda t: recurring_ical_events.of(calendar).at(t), instants[:300])

    print(f"who covers at an instant: {len(reading.closures)} closures over 3 years")
    print(f"  resolve_coverage, median per call:                    {ours / 1000:8.2f} µs  (target: 10 µs or less)")
    print(f"  recurring_ical_events.of(calendar).at(t), per call:   {theirs / 1000:8.1f} µs")
    print(f"  ratio:                                                {theirs / ours:8.0f} x faster")


def bench_load(practices: int = 1000, events: int = 200) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sources = []
        for index in range(practices):
            path = Path(folder) / f"p{index}.ics"
            path.write_bytes(practice_calendar(index, events))
            sources.append(path)
        config = settings(*(practice(f"p{i}", calendars=(CalendarSource(str(p)),), numbers=(f"+3318695{i:04d}",))
                            for i, p in enumerate(sources)))
        now = datetime(2026, 11, 24, 10, tzinfo=UTC)

        gc.collect()
        resident_before = _resident_bytes()
        registry = Reading(config)
        started = time.perf_counter()
        registry.refresh(now)
        elapsed = time.perf_counter() - started
        gc.collect()
        kept = _resident_bytes() - resident_before
        closures = sum(len(state.schedule.covered) for state in registry.states())
        problems = sum(len(state.problems) for state in registry.states())
        started = time.perf_counter()
        registry.refresh(now + timedelta(minutes=15))  # the next refresh: same bytes, window moved
        warm = time.perf_counter() - started

    print(f"loading {practices} practices x {events} events (10 weekly rules each), window "
          f"{(now - timedelta(days=62)).date()} to {(now + config.service.horizon).date()}:")
    print(f"  first load, total: {elapsed:6.1f} s  ({elapsed / practices * 1000:.1f} ms per practice), "
          f"{closures} closures, {problems} problems")
    print(f"  next refresh, calendars unchanged: {warm:6.2f} s  ({warm / practices * 1000:.2f} ms per practice)")
    print(f"  resident memory per practice after loading: {kept / practices / 1024:6.1f} KiB "
          f"({kept / 1024 / 1024:.0f} MiB in all)")


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}")
    bench_resolve()
    bench_webhook()
    bench_load(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
