"""Invariants of who covers when, checked on random calendars, hours and instants (hypothesis).

The random window starts on 1 March 2027 and lasts about three months, so that it crosses the
Europe/Paris spring change (28 March) and the America/Montreal one (14 March).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from calendars.model import Closure
from calendars.parse import read_calendar
from config.settings import OpeningHours
from coverage.hours import is_open_at
from coverage.schedule import build_schedule, resolve_coverage
from tests.builders import MONTREAL, PARIS, practice, settings, vcalendar, vevent

BASE = datetime(2027, 3, 1)
MINUTE = timedelta(minutes=1)

zones = st.sampled_from([PARIS, MONTREAL])

# A closure: starts within 60 days, lasts from 15 minutes to three weeks, on a 15-minute grid
# as people put events in calendars.
closure_spans = st.lists(
    st.tuples(st.integers(0, 60 * 24 * 4), st.integers(1, 21 * 24 * 4)), min_size=0, max_size=12)

day_spans = st.lists(st.tuples(st.integers(0, 95), st.integers(1, 96)), max_size=2).map(
    lambda spans: tuple(sorted({(a * 900, min(a + b, 96) * 900) for a, b in spans if a + b <= 96 and b > 0})))


def _disjoint(day: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in day:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


opening_hours = st.one_of(
    st.none(),
    st.lists(day_spans, min_size=7, max_size=7).map(lambda days: tuple(_disjoint(d) for d in days))
    .filter(any).map(OpeningHours),
)


def _closures(spans: list[tuple[int, int]], tz) -> list[Closure]:
    result = []
    for index, (start, length) in enumerate(spans):
        first = (BASE + start * 15 * MINUTE).replace(tzinfo=tz)
        first = first.astimezone(tz)  # a wall time in a DST gap becomes a real instant
        result.append(Closure(first, first + length * 15 * MINUTE, f"Fermeture {index}", f"c{index}@test"))
    return result


def _schedule(closures: list[Closure], hours: OpeningHours | None, tz):
    config = settings(practice(opening_hours=hours, timezone=tz))
    schedule, _ = build_schedule(config.practices[0], closures, config.offices)
    return schedule


def _is_closed(closures: list[Closure], hours: OpeningHours | None, tz, instant: datetime) -> bool:
    return any(c.contains(instant) for c in closures) or (hours is not None and not is_open_at(hours, tz, instant))


@hypothesis_settings(max_examples=300, deadline=None)
@given(spans=closure_spans.filter(bool), hours=opening_hours, tz=zones, pick=st.integers(0), fraction=st.floats(0, 0.999))
def test_inside_any_closure_the_practice_is_closed_and_reopens_after_that_instant(spans, hours, tz, pick, fraction):
    closures = _closures(spans, tz)
    closure = closures[pick % len(closures)]
    instant = closure.start + (closure.end - closure.start) * fraction

    answer = resolve_coverage(_schedule(closures, hours, tz), instant)

    assert not answer.is_open
    assert answer.closure is not None and answer.closure.contains(instant)
    assert answer.reopens_at is not None and answer.reopens_at > instant


@hypothesis_settings(max_examples=300, deadline=None)
@given(spans=closure_spans, hours=opening_hours, tz=zones, minutes=st.integers(0, 90 * 24 * 60))
def test_the_reopening_is_never_inside_a_closure_nor_outside_hours_and_the_practice_is_closed_until_then(
        spans, hours, tz, minutes):
    closures = _closures(spans, tz)
    instant = (BASE.replace(tzinfo=tz) + minutes * MINUTE).astimezone(tz)

    answer = resolve_coverage(_schedule(closures, hours, tz), instant)

    assert answer.is_open == (not _is_closed(closures, hours, tz, instant))
    if answer.is_open:
        return
    assert answer.reopens_at is not None  # every random week has opening hours, and closures end
    # Arithmetic in UTC: on a same-zone datetime, Python adds and subtracts wall-clock time.
    reopening, now = answer.reopens_at.astimezone(UTC), instant.astimezone(UTC)
    assert not _is_closed(closures, hours, tz, reopening)
    # Really closed until then: sample the time between now and the reopening.
    step = (reopening - now) / 50
    assert all(_is_closed(closures, hours, tz, now + step * k) for k in range(50))
    assert _is_closed(closures, hours, tz, reopening - timedelta(seconds=1))


@hypothesis_settings(max_examples=100, deadline=None)
@given(spans=closure_spans.filter(bool), tz=zones, data=st.data())
def test_the_answers_do_not_depend_on_the_order_of_events_in_the_file(spans, tz, data):
    closures = _closures(spans, tz)
    events = [vevent(c.summary, c.start, c.end, uid=c.uid) for c in closures]
    shuffled = data.draw(st.permutations(events))
    window = dict(tz=tz, start=BASE.replace(tzinfo=tz) - timedelta(days=1), end=BASE.replace(tzinfo=tz) + timedelta(days=120))

    in_order = read_calendar(vcalendar(*events), **window).closures
    out_of_order = read_calendar(vcalendar(*shuffled), **window).closures

    assert in_order == out_of_order
    first, second = _schedule(list(in_order), None, tz), _schedule(list(out_of_order), None, tz)
    for closure in in_order:
        for instant in (closure.start, closure.end - MINUTE, closure.end):
            assert resolve_coverage(first, instant) == resolve_coverage(second, instant)


@hypothesis_settings(max_examples=300, deadline=None)
@given(spans=closure_spans, hours=opening_hours, tz=zones, minutes=st.lists(st.integers(0, 90 * 24 * 60), max_size=20))
def test_the_precomputed_answer_is_the_one_worked_out_step_by_step(spans, hours, tz, minutes):
    closures = _closures(spans, tz)
    config = settings(practice(opening_hours=hours, timezone=tz))
    window = (BASE.replace(tzinfo=tz), BASE.replace(tzinfo=tz) + timedelta(days=91))
    fast, _ = build_schedule(config.practices[0], closures, config.offices, window)
    slow = fast.replaced(window_start=0.0, window_end=0.0)  # no precomputed spans: step by step

    for minute in minutes:
        instant = (window[0] + minute * MINUTE).astimezone(tz)
        assert resolve_coverage(fast, instant) == resolve_coverage(slow, instant)


@hypothesis_settings(max_examples=150, deadline=None)
@given(spans=closure_spans, hours=opening_hours, tz=zones, minutes=st.lists(st.integers(0, 90 * 24 * 60), max_size=20))
def test_a_schedule_read_back_from_the_database_answers_as_the_one_built(spans, hours, tz, minutes):
    from coverage.schedule import decode, encode

    closures = _closures(spans, tz)
    config = settings(practice(opening_hours=hours, timezone=tz))
    window = (BASE.replace(tzinfo=tz), BASE.replace(tzinfo=tz) + timedelta(days=91))
    built, _ = build_schedule(config.practices[0], closures, config.offices, window)
    stored = decode(encode(built))

    assert stored.covered == built.covered
    for minute in minutes:
        instant = (window[0] + minute * MINUTE).astimezone(tz)
        assert resolve_coverage(stored, instant) == resolve_coverage(built, instant)


@hypothesis_settings(max_examples=300, deadline=None)
@given(spans=closure_spans, hours=opening_hours, tz=zones, first=st.integers(0, 60 * 24), days=st.integers(1, 45),
       minutes=st.lists(st.integers(-24 * 60, 60 * 24 * 60), max_size=25))
def test_the_weeks_ahead_answer_as_the_whole_schedule_or_say_they_cannot(spans, hours, tz, first, days, minutes):
    from coverage.schedule import decode, encode, resolve_near, sliced

    closures = _closures(spans, tz)
    config = settings(practice(opening_hours=hours, timezone=tz))
    window = (BASE.replace(tzinfo=tz), BASE.replace(tzinfo=tz) + timedelta(days=91))
    whole, _ = build_schedule(config.practices[0], closures, config.offices, window)
    start = window[0] + first * MINUTE
    near = decode(encode(sliced(whole, start.timestamp(), (start + timedelta(days=days)).timestamp())))

    told = 0
    for minute in minutes:
        instant = (start + minute * MINUTE).astimezone(tz)
        answer = resolve_near(near, instant)
        if answer is not None:
            told += 1
            assert answer == resolve_coverage(whole, instant)
    # Open hours within the weeks ahead, without closures: every instant inside them is told.
    if not closures and hours is None and days >= 2:
        inside = [m for m in minutes if 0 <= m < (days - 1) * 24 * 60]
        assert told >= len(inside)


@hypothesis_settings(max_examples=300, deadline=None)
@given(spans=closure_spans, hours=opening_hours, tz=zones, first=st.integers(0, 60 * 24), days=st.integers(1, 45),
       minutes=st.lists(st.integers(0, 60 * 24 * 45), max_size=10), shares=st.lists(st.floats(0, 1), max_size=5))
def test_an_answer_a_webhook_keeps_until_the_next_edge_is_the_answer_at_every_instant_until_then(
        spans, hours, tz, first, days, minutes, shares):
    from dataclasses import replace

    from coverage.schedule import holds_until, resolve_near, sliced

    closures = _closures(spans, tz)
    config = settings(practice(opening_hours=hours, timezone=tz))
    window = (BASE.replace(tzinfo=tz), BASE.replace(tzinfo=tz) + timedelta(days=91))
    whole, _ = build_schedule(config.practices[0], closures, config.offices, window)
    start = window[0] + first * MINUTE
    near = sliced(whole, start.timestamp(), (start + timedelta(days=days)).timestamp())

    for minute in minutes:
        instant = (start + minute * MINUTE).astimezone(tz)
        answer, until = resolve_near(near, instant), holds_until(near, instant)
        if answer is None:
            continue
        assert until > instant.timestamp()
        for share in [*shares, 1.0]:  # 1.0: the last second before the edge
            later = datetime.fromtimestamp(min(instant.timestamp() + share * (until - instant.timestamp()),
                                               until - 1), tz)
            if later < instant:
                continue
            assert later.date() == instant.date()  # « demain » still means the same day
            assert resolve_near(near, later) == replace(answer, at=later)
