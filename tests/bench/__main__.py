"""`make bench`: the figures the issues ask for, measured in one run, on this machine.

1. Deciding who covers at an instant (three years of weekly lunch closures, vacations, holidays):
   median per call once loaded, and the ratio against asking recurring-ical-events afresh.
2. A host of 10,000 practices of 200 events each (one configuration file per practice; half the
   calendars as files, half served by a calendar server on loopback), on SQLite and, when
   TEST_POSTGRES_URL names a server, on PostgreSQL:
   - the worker's first full read, from its start, and a read where nothing changed;
   - the first call after a web process (gunicorn -w 2) starts, each worker's peak memory;
   - signed incoming-call webhooks under gunicorn -w 2 against a bare Flask handler returning
     fixed TwiML (the most each answers), and the latency of 1,000 calls a second.

3. The local transcription engine: a 30-second French voicemail on 2 CPU threads.

`python -m tests.bench --practices 1000` for a shorter run (BENCH_PRACTICES works too).
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import recurring_ical_events
from sqlalchemy import create_engine

from calendars.parse import read_calendar
from coverage.schedule import build_schedule, resolve_coverage
from tests.bench.calendars import three_years_of_a_dentist
from tests.bench.host import CalendarServer, Host
from tests.bench.scale import web, worker_read
from tests.bench.transcribe import bench_transcription
from tests.builders import PARIS, hm, practice, settings, weekdays


def _median_ns(function, instants) -> float:  # type: ignore[no-untyped-def]
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
    print(f"  ratio:                                                {theirs / ours:8.0f} x faster", flush=True)


def _postgres_database(server_url: str) -> tuple[str, str]:
    name = f"releve_bench_{secrets.token_hex(4)}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    server.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}", name


def _drop_postgres_database(server_url: str, name: str) -> None:
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    server.dispose()


def bench_host(practices: int, events: int, rate: float, seconds: float) -> None:
    postgres = os.environ.get("TEST_POSTGRES_URL", "").strip()
    with tempfile.TemporaryDirectory(prefix="releve-bench-") as folder:
        root = Path(folder)
        server = CalendarServer(root / "calendars")
        try:
            started = time.perf_counter()
            host = Host(root, practices, events, server.url)
            served = sum(p.served for p in host.practices)
            print(f"\na host of {practices} practices x {events} events, one configuration file each; "
                  f"{served} calendars served on loopback, {practices - served} as files "
                  f"(written in {time.perf_counter() - started:.0f} s)", flush=True)
            databases = [("SQLite", f"sqlite:///{root / 'releve.sqlite3'}", None)]
            if postgres:
                url, name = _postgres_database(postgres)
                databases.append(("PostgreSQL", url, name))
            else:
                print("  (no TEST_POSTGRES_URL: PostgreSQL is not measured; .ci/run shows how to start one)")
            for label, url, name in databases:
                try:
                    _measure(label, host, url, root / label.lower(), rate, seconds)
                finally:
                    if name:
                        _drop_postgres_database(postgres, name)
        finally:
            server.stop()


def _measure(label: str, host: Host, url: str, data: Path, rate: float, seconds: float) -> None:
    print(f"\n{label}:", flush=True)
    read = worker_read(host, url, data / "worker")
    print(f"  worker, first full read (from its start):   {read.first_seconds:7.1f} s   (target: 600 s or less); "
          f"{read.stored} practices stored, {read.failed} calendars failed")
    print(f"  worker, a read where nothing changed:        {read.unchanged_seconds:7.1f} s   (target: 30 s or less)")
    print(f"  worker, resident memory after both:          {read.resident_mib:7.0f} MiB", flush=True)
    found = web(host, url, data / "web", rate, seconds)
    print(f"  web, first call answered after its start:    {found.first_answer_seconds:7.2f} s   (target: 1 s or less)")
    print(f"  web, every practice's answer worked out:     {found.settled_seconds:7.1f} s after the first calls "
          "(in the background; measured from then on)")
    print(f"  web, each gunicorn worker's peak memory:     "
          f"{', '.join(f'{m:.0f}' for m in found.peak_mib)} MiB   (target: 150 MiB or less)")
    print(f"  gunicorn -w 2, signed incoming calls:        {found.throughput.per_second:7.0f} /s "
          f"({found.throughput.failures} failed of {found.throughput.answers}, {found.throughput.tool})")
    print(f"  gunicorn -w 2, bare Flask, fixed TwiML:      {found.bare.per_second:7.0f} /s")
    print(f"  ratio:                                       {found.ratio:7.2f}     (target: 0.5 or more)")
    lat = found.latency
    print(f"  {lat.rate:.0f} calls a second for {lat.sent / lat.rate:.0f} s: p50 {lat.p50_ms:.1f} ms, "
          f"p99 {lat.p99_ms:.1f} ms (target: 20 ms or less), max {lat.max_ms:.1f} ms, {lat.failures} failed")
    for step in found.ladder:
        print(f"  {step.rate:4.0f} calls a second for 5 s: p50 {step.p50_ms:.1f} ms, p99 {step.p99_ms:.1f} ms, "
              f"max {step.max_ms:.1f} ms, {step.failures} failed")
    print(flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--practices", type=int, default=int(os.environ.get("BENCH_PRACTICES", "10000")))
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rate", type=float, default=1000.0, help="calls a second for the latency")
    parser.add_argument("--seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    bench_resolve()
    bench_transcription()
    bench_host(arguments.practices, arguments.events, arguments.rate, arguments.seconds)
