"""The rules behind the practice's space, without a database: « Fermer maintenant », the morning
digest's window, voicemail notices right away or by the hour, the timeline; across DST changes."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from calendars.model import Closure
from config.settings import Practice
from coverage.closing import Closing, check_closing, end_of_day, with_closing
from coverage.notices import Left, digest_window, voicemail_notices_due
from coverage.periods import CoveragePeriod
from coverage.schedule import build_schedule, resolve_coverage
from coverage.timeline import CLOSED, CLOSED_NOW, NIGHT, OPEN, day_segments, months_ahead
from tests.builders import PARIS, hm, practice, settings, weekdays

HOURS = weekdays((hm(8, 30), hm(19)), saturday=((hm(9), hm(12)),))
DENTIST: Practice = practice(opening_hours=HOURS)


def _schedule(*closures: Closure, start: datetime = datetime(2027, 3, 1, tzinfo=PARIS), days: int = 60):
    config = settings(DENTIST)
    schedule, _ = build_schedule(config.practices[0], closures, config.offices, (start, start + timedelta(days=days)))
    return schedule


def _lunch(day: date) -> Closure:
    return Closure(datetime(day.year, day.month, day.day, 12, 30, tzinfo=PARIS),
                   datetime(day.year, day.month, day.day, 14, tzinfo=PARIS), "Pause déjeuner", f"lunch@{day}")


def test_closing_now_sends_calls_to_its_chain_until_its_end_then_the_real_reopening():
    schedule = _schedule()
    at = datetime(2027, 3, 3, 10, tzinfo=PARIS)   # a Wednesday, open
    closing = Closing(1, "dupont", at, datetime(2027, 3, 3, 15, tzinfo=PARIS), "Urgence", ("permanence",), "x")

    answer = with_closing(resolve_coverage(schedule, at), closing, DENTIST, schedule)
    after = with_closing(resolve_coverage(schedule, closing.ends_at), closing, DENTIST, schedule)

    assert (answer.is_open, answer.chain, answer.reason, answer.reopens_at) == (
        False, ("permanence",), "Urgence", datetime(2027, 3, 3, 15, tzinfo=PARIS))
    assert after.is_open


def test_a_closing_ending_after_hours_reopens_at_the_next_opening_and_keeps_the_night_chain():
    schedule = _schedule()
    at = datetime(2027, 3, 5, 18, tzinfo=PARIS)   # Friday 18:00
    closing = Closing(1, "dupont", at, datetime(2027, 3, 5, 21, tzinfo=PARIS), "", (), "x")

    before_close = with_closing(resolve_coverage(schedule, at), closing, DENTIST, schedule)
    evening = with_closing(resolve_coverage(schedule, datetime(2027, 3, 5, 20, tzinfo=PARIS)), closing, DENTIST,
                           schedule)

    assert before_close.chain == DENTIST.closure_chain          # the usual closures chain while open hours last
    assert evening.chain == DENTIST.after_hours_chain           # at night, the night chain as always
    assert before_close.reopens_at == datetime(2027, 3, 6, 9, tzinfo=PARIS)  # Saturday 9:00


def test_the_default_end_of_a_closing_is_the_end_of_the_day_and_too_long_is_refused():
    schedule = _schedule()
    now = datetime(2027, 3, 3, 10, tzinfo=PARIS)

    assert end_of_day(DENTIST, schedule, now) == datetime(2027, 3, 3, 19, tzinfo=PARIS)
    assert end_of_day(DENTIST, schedule, datetime(2027, 3, 7, 10, tzinfo=PARIS)) == datetime(2027, 3, 8, tzinfo=PARIS)
    assert check_closing(DENTIST, {"martin"}, now, now + timedelta(days=15), ()) == "too_long"
    assert check_closing(DENTIST, {"martin"}, now, now - timedelta(minutes=1), ()) == "ends_in_past"
    assert check_closing(DENTIST, {"martin"}, now, now + timedelta(hours=1), ("nobody",)) == "unknown_office"
    assert check_closing(DENTIST, {"martin"}, now, now + timedelta(hours=1), ("martin",)) is None


def test_the_morning_digest_window_runs_from_saturday_noon_to_monday_opening_across_the_spring_change():
    # Clocks go forward on Sunday 28 March 2027 in Paris.
    schedule = _schedule(*(_lunch(date(2027, 3, d)) for d in (26, 29)))
    monday = datetime(2027, 3, 29, 8, 30, tzinfo=PARIS)

    window = digest_window(schedule, monday + timedelta(minutes=1))

    assert window == (datetime(2027, 3, 27, 12, tzinfo=PARIS), monday)
    assert window[1].utcoffset() == timedelta(hours=2) and window[0].utcoffset() == timedelta(hours=1)
    assert digest_window(schedule, monday - timedelta(minutes=1)) is None
    assert digest_window(schedule, datetime(2027, 3, 29, 14, 5, tzinfo=PARIS)) is None  # after lunch: no second one
    assert digest_window(schedule, monday + timedelta(hours=4)) is None                 # too late to be a morning digest


def test_voicemail_notices_right_away_or_once_an_hour_and_never_inside_a_coverage_period():
    at = datetime(2027, 3, 3, 12, 40, tzinfo=PARIS)
    lefts = [Left("CA1", at, False), Left("CA2", at + timedelta(minutes=10), False), Left("CA3", at, True)]
    vacation = CoveragePeriod("v", Closure(at + timedelta(days=1), at + timedelta(days=3), "Congés", "v"), ("martin",),
                              None)
    in_vacation = Left("CA4", at + timedelta(days=2), False)
    now = at + timedelta(minutes=15)

    right_away = voicemail_notices_due(DENTIST, lefts, [vacation], now)
    hourly = replace(DENTIST, voicemail_notices="hourly")

    assert [n.key for n in right_away] == ["voicemail:CA1", "voicemail:CA2"]   # the one left while open is not
    assert voicemail_notices_due(hourly, lefts, [vacation], now) == []         # the hour is not over
    [gathered] = voicemail_notices_due(hourly, lefts, [vacation], datetime(2027, 3, 3, 13, 0, tzinfo=PARIS))
    assert [v.ref for v in gathered.voicemails] == ["CA1", "CA2"]
    assert voicemail_notices_due(DENTIST, [in_vacation], [vacation], in_vacation.at + timedelta(minutes=1)) == []
    assert voicemail_notices_due(replace(DENTIST, voicemail_notices="digest_only"), lefts, [], now) == []


def test_the_timeline_of_a_day_shows_the_night_the_lunch_break_and_a_closing_and_the_short_spring_day():
    schedule = _schedule(_lunch(date(2027, 3, 3)))
    closing = Closing(1, "dupont", datetime(2027, 3, 3, 16, tzinfo=PARIS), datetime(2027, 3, 3, 17, tzinfo=PARIS),
                      "Urgence", ("permanence",), "x")

    day = day_segments(schedule, DENTIST, [closing], date(2027, 3, 3))
    sunday = day_segments(schedule, DENTIST, [], date(2027, 3, 28))   # 23 hours long

    assert [(s.kind, s.start.hour, s.start.minute) for s in day.segments] == [
        (NIGHT, 0, 0), (OPEN, 8, 30), (CLOSED, 12, 30), (OPEN, 14, 0), (CLOSED_NOW, 16, 0), (OPEN, 17, 0),
        (NIGHT, 19, 0)]
    assert day.segments[0].chain == DENTIST.after_hours_chain and day.segments[2].chain == DENTIST.closure_chain
    assert abs(sum(s.width for s in day.segments) - 1) < 1e-9
    assert [s.kind for s in sunday.segments] == [NIGHT] and sunday.segments[0].width == 1
    assert sunday.segments[0].end.timestamp() - sunday.segments[0].start.timestamp() == 23 * 3600


def test_the_months_ahead_show_a_summer_vacation_seen_from_december():
    start = datetime(2026, 12, 1, tzinfo=PARIS)
    summer = Closure(datetime(2027, 8, 2, tzinfo=PARIS), datetime(2027, 8, 23, tzinfo=PARIS), "Congés d'été",
                     "summer", is_all_day=True)
    schedule = _schedule(summer, start=start, days=400)

    months = months_ahead(schedule, datetime(2026, 12, 1, 10, tzinfo=UTC))

    august = months[8]
    assert august.first == date(2027, 8, 1) and [p.closure.summary for p in august.periods] == ["Congés d'été"]
    assert [c.day.day for c in august.cells if c.kind == CLOSED] == list(range(2, 23))
    assert august.cells[0].kind == NIGHT   # Sunday 1 August: no opening hours
