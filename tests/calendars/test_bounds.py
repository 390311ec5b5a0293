"""Calendars as producers really write them, and as an attacker would: several VCALENDARs in one
stream, Outlook's display-name zones, mixed floating and zoned times, negative durations; and rules
and files that would cost more than Relève gives one calendar, each refused with a clear sentence."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from calendars import OverLimits, read_calendar
from calendars.parse import Limits
from tests.builders import MONTREAL, PARIS, vcalendar, vevent

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2027, 12, 31, tzinfo=UTC)


def read(data: bytes, tz: ZoneInfo = PARIS, **options):
    return read_calendar(data, tz=tz, start=START, end=END, source="test.ics", **options)


def test_a_stream_of_several_vcalendars_is_read_whole():
    first = vcalendar(vevent("Congés", datetime(2026, 12, 24, tzinfo=PARIS).date(),
                             datetime(2027, 1, 4, tzinfo=PARIS).date()))
    second = vcalendar(vevent("Formation", datetime(2027, 2, 3, 9, tzinfo=PARIS), datetime(2027, 2, 3, 17, tzinfo=PARIS)))

    reading = read(first + second)

    assert [c.summary for c in reading.closures] == ["Congés", "Formation"]
    assert reading.problems == ()


@pytest.mark.parametrize(("tzid", "zone"), [
    ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
    ("(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Paris"),
    ("(UTC+00:00) Dublin, Edinburgh, Lisbon, London", "Europe/London"),
])
def test_outlooks_display_name_zones_are_read_as_their_iana_zone(tzid, zone):
    event = "\r\n".join(["BEGIN:VEVENT", "UID:out@test", "SUMMARY:Formation", "DTSTAMP:20261101T000000Z",
                         f'DTSTART;TZID="{tzid}":20270203T090000', f'DTEND;TZID="{tzid}":20270203T170000',
                         "END:VEVENT"])

    [closure] = read(vcalendar(event), tz=MONTREAL).closures

    assert closure.start.timestamp() == datetime(2027, 2, 3, 9, tzinfo=ZoneInfo(zone)).timestamp()


def test_an_event_with_a_floating_start_and_a_zoned_end_is_read_alike_in_every_practices_zone():
    event = "\r\n".join(["BEGIN:VEVENT", "UID:mixed@test", "SUMMARY:Fermeture", "DTSTAMP:20261101T000000Z",
                         "DTSTART:20270203T090000", "DTEND;TZID=Europe/Paris:20270203T170000", "END:VEVENT"])

    in_paris = read(vcalendar(event), tz=PARIS).closures
    in_montreal = read(vcalendar(event), tz=MONTREAL).closures

    assert [(c.start.timestamp(), c.end.timestamp()) for c in in_paris] == \
        [(c.start.timestamp(), c.end.timestamp()) for c in in_montreal]
    assert in_paris[0].start == datetime(2027, 2, 3, 9, tzinfo=PARIS)


def test_a_negative_duration_is_reported_and_skipped_not_read_as_the_day_before():
    event = vevent("Fermeture", datetime(2027, 2, 3, tzinfo=PARIS).date(), lines=("DURATION:-P1D",))

    reading = read(vcalendar(event, vevent("Congés", datetime(2027, 3, 1, tzinfo=PARIS).date())))

    assert [c.summary for c in reading.closures] == ["Congés"]
    [problem] = reading.problems
    assert "duration is negative (-P1D)" in problem.message and problem.line == 4


@pytest.mark.parametrize(("rule", "start", "words"), [
    ("FREQ=SECONDLY", datetime(2026, 11, 2, 9, tzinfo=PARIS), "repeats every second"),
    ("FREQ=MINUTELY;BYSECOND=0,10,20,30,40,50", datetime(2026, 11, 2, 9, tzinfo=PARIS), "repeats every minute"),
    ("FREQ=HOURLY", datetime(1, 1, 1, 9, tzinfo=UTC), "repeats every hour since 1"),
    ("FREQ=DAILY;BYHOUR=1,2,3,4,5,6,7,8,9,10,11,12", datetime(1950, 1, 1, 9, tzinfo=PARIS), "repeats every day"),
])
def test_a_rule_that_repeats_more_often_than_relève_reads_is_reported_at_once_and_the_rest_is_used(rule, start,
                                                                                                 words):
    runaway = vevent("Piège", start, start.replace(minute=start.minute + 1), lines=(f"RRULE:{rule}",))
    runaway = runaway.replace(":10101T", ":00010101T")  # year 1, written with its four digits
    started = time.perf_counter()

    reading = read(vcalendar(runaway, vevent("Congés", datetime(2027, 3, 1, tzinfo=PARIS).date())))

    assert time.perf_counter() - started < 5  # refused before expanding, not after
    assert [c.summary for c in reading.closures] == ["Congés"]
    [problem] = reading.problems
    assert words in problem.message and "Relève reads at most 10 000 occurrences" in problem.message


def test_an_event_giving_too_many_occurrences_in_the_window_is_reported_and_skipped():
    busy = vevent("Pause", datetime(2026, 11, 2, 12, tzinfo=PARIS), datetime(2026, 11, 2, 12, 30, tzinfo=PARIS),
                  lines=("RRULE:FREQ=DAILY;BYHOUR=12,13,14",))

    reading = read(vcalendar(busy), limits=Limits(per_event=500))

    assert reading.closures == ()
    assert "more than 500 occurrences" in reading.problems[0].message


def test_a_calendar_holding_too_many_events_is_refused_before_it_is_parsed():
    events = [vevent(f"Rendez-vous {n}", datetime(2027, 1, 4, 9, tzinfo=PARIS), datetime(2027, 1, 4, 10, tzinfo=PARIS),
                     uid=f"r{n}@test") for n in range(300)]

    with pytest.raises(OverLimits) as refused:
        read(vcalendar(*events), limits=Limits(events=200))

    assert "holds 300 events; Relève reads calendars of at most 200" in refused.value.message
    assert "only:" in refused.value.fix


def test_a_calendar_holding_thousands_of_time_zones_is_refused_at_once():
    zone = "\r\n".join(["BEGIN:VTIMEZONE", "TZID:Zone{n}", "BEGIN:STANDARD", "DTSTART:19700101T000000",
                        "TZOFFSETFROM:+0100", "TZOFFSETTO:+0100", "END:STANDARD", "END:VTIMEZONE"])
    data = vcalendar(*[zone.replace("{n}", str(n)) for n in range(10_000)])
    started = time.perf_counter()

    with pytest.raises(OverLimits) as refused:
        read(data)

    assert time.perf_counter() - started < 2
    assert "10000 time zone definitions" in refused.value.message
