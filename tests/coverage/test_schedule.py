"""Who covers when, at one instant: open or closed, the reason, the chain and the reopening."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from calendars.model import Closure
from config.settings import Name, OpeningHours
from coverage.schedule import build_schedule, resolve_coverage
from tests.builders import MONTREAL, PARIS, hm, office, practice, settings, weekdays

# Monday to Friday 08:30-19:00, Saturday 09:00-12:00, closed on Sunday.
DENTIST_HOURS = weekdays((hm(8, 30), hm(19)), saturday=((hm(9), hm(12)),))


def all_day(summary: str, first: date, days: int = 1, *, offices: tuple[str, ...] = (), tz=PARIS) -> Closure:
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    end = datetime.combine(first + timedelta(days=days), datetime.min.time(), tz)
    return Closure(start, end, summary, f"{summary}@test", offices, True, "test.ics")


def timed(summary: str, start: datetime, end: datetime, *, offices: tuple[str, ...] = ()) -> Closure:
    return Closure(start, end, summary, f"{summary}-{start:%Y%m%d}@test", offices, False, "test.ics")


def schedule_of(*closures: Closure, hours=DENTIST_HOURS, tz=PARIS):
    config = settings(practice(opening_hours=hours, timezone=tz))
    return build_schedule(config.practices[0], closures, config.offices)


def test_a_patient_calling_during_the_vacation_gets_the_first_office_of_the_chain_and_the_real_reopening():
    # 27 December to 8 January inclusive; 9 January 2027 is a Saturday: the practice opens at 9:00.
    schedule, _ = schedule_of(all_day("Congés de fin d'année", date(2026, 12, 27), 13))

    answer = resolve_coverage(schedule, datetime(2026, 12, 28, 10, 0, tzinfo=PARIS))

    assert not answer.is_open
    assert answer.reason == "Congés de fin d'année"
    assert answer.chain == ("martin", "permanence")
    assert answer.reopens_at == datetime(2027, 1, 9, 9, 0, tzinfo=PARIS)


def test_a_vacation_running_into_a_weekend_and_a_public_holiday_reopens_after_all_of_them():
    # Vacation Monday 3 to Friday 7 May 2027; Saturday 8 May is a public holiday (Victoire 1945);
    # Sunday is closed anyway: the practice really reopens on Monday 10 May at 8:30.
    schedule, _ = schedule_of(
        all_day("Pont de mai", date(2027, 5, 3), 5),
        all_day("Victoire 1945", date(2027, 5, 8)),
    )

    answer = resolve_coverage(schedule, datetime(2027, 5, 4, 11, 0, tzinfo=PARIS))

    assert answer.reopens_at == datetime(2027, 5, 10, 8, 30, tzinfo=PARIS)


def test_back_to_back_closures_merge_into_one_reopening():
    schedule, _ = schedule_of(
        timed("Formation", datetime(2027, 3, 10, 8, 30, tzinfo=PARIS), datetime(2027, 3, 10, 12, 30, tzinfo=PARIS)),
        timed("Pause déjeuner", datetime(2027, 3, 10, 12, 30, tzinfo=PARIS), datetime(2027, 3, 10, 14, tzinfo=PARIS)),
    )

    answer = resolve_coverage(schedule, datetime(2027, 3, 10, 9, 0, tzinfo=PARIS))

    assert answer.reason == "Formation"
    assert answer.reopens_at == datetime(2027, 3, 10, 14, 0, tzinfo=PARIS)


def test_a_lunch_break_inside_a_vacation_is_still_the_vacation_for_the_caller():
    vacation = all_day("Congés d'été", date(2027, 8, 2), 21)
    lunch = timed("Pause déjeuner", datetime(2027, 8, 4, 12, 30, tzinfo=PARIS), datetime(2027, 8, 4, 14, tzinfo=PARIS))
    schedule, _ = schedule_of(vacation, lunch)

    answer = resolve_coverage(schedule, datetime(2027, 8, 4, 13, 0, tzinfo=PARIS))

    assert answer.reason == "Congés d'été"
    assert answer.reopens_at == datetime(2027, 8, 23, 8, 30, tzinfo=PARIS)


def test_an_office_named_in_the_event_covers_that_closure_instead_of_the_default_chain():
    schedule, problems = schedule_of(
        all_day("Formation implantologie", date(2027, 3, 12), offices=("Permanence Santé",)))

    answer = resolve_coverage(schedule, datetime(2027, 3, 12, 10, 0, tzinfo=PARIS))

    assert answer.chain == ("permanence",)
    assert problems == ()


def test_an_office_is_recognised_by_its_id_or_its_name_whatever_the_case_and_accents():
    config = settings(practice(opening_hours=DENTIST_HOURS),
                      offices=(office("martin"), office("secretariat", name=Name("Secrétariat Médical Étoile", "le secrétariat"))))
    closures = (all_day("A", date(2027, 3, 1), offices=("MARTIN",)),
                all_day("B", date(2027, 3, 2), offices=("secretariat medical etoile", "martin")))
    schedule, problems = build_schedule(config.practices[0], closures, config.offices)

    assert resolve_coverage(schedule, datetime(2027, 3, 1, 10, tzinfo=PARIS)).chain == ("martin",)
    assert resolve_coverage(schedule, datetime(2027, 3, 2, 10, tzinfo=PARIS)).chain == ("secretariat", "martin")
    assert problems == ()


def test_an_unknown_office_in_an_event_is_reported_and_the_default_chain_covers():
    schedule, problems = schedule_of(all_day("Séminaire", date(2027, 4, 7), offices=("Dr Inconnu",)))

    answer = resolve_coverage(schedule, datetime(2027, 4, 7, 10, 0, tzinfo=PARIS))

    assert answer.chain == ("martin", "permanence")
    assert len(problems) == 1
    assert "Dr Inconnu" in problems[0].message and problems[0].summary == "Séminaire"


def test_outside_opening_hours_the_after_hours_chain_covers_until_the_next_morning():
    schedule, _ = schedule_of()

    answer = resolve_coverage(schedule, datetime(2026, 11, 25, 22, 15, tzinfo=PARIS))  # Wednesday night

    assert not answer.is_open and answer.is_outside_hours
    assert answer.reason is None
    assert answer.chain == ("permanence",)
    assert answer.reopens_at == datetime(2026, 11, 26, 8, 30, tzinfo=PARIS)


def test_during_opening_hours_with_no_closure_the_practice_is_open():
    schedule, _ = schedule_of(all_day("Noël", date(2026, 12, 25)))

    answer = resolve_coverage(schedule, datetime(2026, 11, 25, 10, 0, tzinfo=PARIS))

    assert answer.is_open and answer.chain == () and answer.reopens_at is None


def test_without_opening_hours_the_practice_reopens_when_the_closure_ends():
    schedule, _ = schedule_of(
        timed("Réunion", datetime(2027, 2, 3, 14, tzinfo=PARIS), datetime(2027, 2, 3, 16, tzinfo=PARIS)), hours=None)

    assert resolve_coverage(schedule, datetime(2027, 2, 3, 15, tzinfo=PARIS)).reopens_at == \
        datetime(2027, 2, 3, 16, tzinfo=PARIS)
    assert resolve_coverage(schedule, datetime(2027, 2, 3, 23, tzinfo=PARIS)).is_open


def test_the_saturday_night_before_the_clocks_go_forward_reopens_on_monday_at_half_past_eight_summer_time():
    # Europe/Paris springs forward on Sunday 28 March 2027 at 02:00.
    schedule, _ = schedule_of()

    answer = resolve_coverage(schedule, datetime(2027, 3, 27, 23, 0, tzinfo=PARIS))

    assert answer.reopens_at == datetime(2027, 3, 29, 8, 30, tzinfo=PARIS)
    assert answer.reopens_at.utcoffset() == timedelta(hours=2)


def test_a_closure_across_the_autumn_change_reopens_at_local_opening_time_in_winter_time():
    # Europe/Paris falls back on Sunday 31 October 2027 at 03:00.
    schedule, _ = schedule_of(all_day("Toussaint", date(2027, 10, 29), 4))  # Friday to Monday 1 November

    answer = resolve_coverage(schedule, datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=PARIS))

    assert answer.reopens_at == datetime(2027, 11, 2, 8, 30, tzinfo=PARIS)
    assert answer.reopens_at.utcoffset() == timedelta(hours=1)


def test_a_montreal_clinic_closed_over_the_march_dst_change_reopens_at_eight_eastern_daylight_time():
    # America/Montreal springs forward on Sunday 14 March 2027.
    clinic_hours = weekdays((hm(8), hm(18)))
    schedule, _ = schedule_of(all_day("Congé", date(2027, 3, 12), tz=MONTREAL), hours=clinic_hours, tz=MONTREAL)

    answer = resolve_coverage(schedule, datetime(2027, 3, 12, 9, 0, tzinfo=MONTREAL))

    assert answer.reopens_at == datetime(2027, 3, 15, 8, 0, tzinfo=MONTREAL)
    assert answer.reopens_at.utcoffset() == timedelta(hours=-4)


def test_opening_hours_that_start_in_the_skipped_hour_open_when_the_clocks_have_jumped():
    night_shift = OpeningHours((((hm(2, 30), hm(6)),),) * 7)
    schedule, _ = schedule_of(hours=night_shift)

    answer = resolve_coverage(schedule, datetime(2027, 3, 28, 1, 0, tzinfo=PARIS))

    # 02:30 does not exist that night: the practice opens when the clocks jump to 03:00 summer time.
    assert answer.reopens_at == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert resolve_coverage(schedule, datetime(2027, 3, 28, 3, 10, tzinfo=PARIS)).is_open


def test_a_naive_instant_is_refused_rather_than_guessed():
    schedule, _ = schedule_of()
    with pytest.raises(ValueError):
        resolve_coverage(schedule, datetime(2027, 1, 4, 10, 0))


def test_the_answer_does_not_depend_on_the_zone_the_instant_is_given_in():
    schedule, _ = schedule_of(all_day("Congés", date(2027, 2, 15), 5))
    instant = datetime(2027, 2, 16, 10, 0, tzinfo=PARIS)

    assert resolve_coverage(schedule, instant).reopens_at == \
        resolve_coverage(schedule, instant.astimezone(MONTREAL)).reopens_at


def test_a_sunday_range_inside_the_skipped_hour_opens_again_the_sunday_after():
    # Open on Sundays 02:00-02:15 only: on 28 March 2027 that quarter of an hour does not exist
    # in Paris, so a closure ending on 21 March reopens on 4 April.
    early_sundays = OpeningHours(((),) * 6 + (((hm(2), hm(2, 15)),),))
    schedule, _ = schedule_of(all_day("Congés", date(2027, 3, 1), 21), hours=early_sundays)  # to 21 March included

    answer = resolve_coverage(schedule, datetime(2027, 3, 10, 12, tzinfo=PARIS))

    assert answer.reopens_at == datetime(2027, 4, 4, 2, 0, tzinfo=PARIS)


def test_during_a_vacation_the_partner_covers_by_day_and_the_answering_service_at_night():
    schedule, _ = schedule_of(all_day("Congés de fin d'année", date(2026, 12, 27), 13,
                                      offices=("Cabinet Martin",)))

    by_day = resolve_coverage(schedule, datetime(2026, 12, 28, 10, 0, tzinfo=PARIS))
    at_night = resolve_coverage(schedule, datetime(2026, 12, 28, 23, 0, tzinfo=PARIS))
    on_sunday = resolve_coverage(schedule, datetime(2027, 1, 3, 11, 0, tzinfo=PARIS))

    assert by_day.chain == ("martin",)
    assert at_night.chain == ("permanence",) and on_sunday.chain == ("permanence",)
    # The night is still the vacation to the caller: same reason, same reopening.
    assert at_night.reason == "Congés de fin d'année"
    assert at_night.reopens_at == by_day.reopens_at == datetime(2027, 1, 9, 9, 0, tzinfo=PARIS)


def test_without_opening_hours_a_closure_s_chain_answers_day_and_night():
    schedule, _ = schedule_of(all_day("Congés", date(2026, 12, 27), 13), hours=None)

    assert resolve_coverage(schedule, datetime(2026, 12, 28, 23, 0, tzinfo=PARIS)).chain == ("martin", "permanence")


def test_french_writes_the_first_of_the_month_as_premier():
    from coverage.wording.dates import format_day, format_span

    new_year = datetime(2027, 1, 1, tzinfo=PARIS)
    assert format_day(new_year, "fr-FR") == "vendredi 1er janvier 2027"
    assert format_span(datetime(2026, 12, 30, tzinfo=PARIS), datetime(2027, 1, 2, tzinfo=PARIS), "fr-CA",
                       is_all_day=True) == "du mercredi 30 décembre 2026 au vendredi 1er janvier 2027"
    assert format_day(new_year, "en-US") == "Friday, January 1, 2027"
    assert format_day(datetime(2027, 1, 11, tzinfo=PARIS), "fr-FR") == "lundi 11 janvier 2027"


def test_the_weeks_ahead_tell_a_caller_what_the_whole_schedule_does_and_leave_a_long_closure_to_it():
    from coverage.schedule import resolve_near, sliced

    config = settings(practice(opening_hours=DENTIST_HOURS, timezone=PARIS))
    window = (datetime(2026, 11, 1, tzinfo=PARIS), datetime(2027, 12, 1, tzinfo=PARIS))
    lunches = [timed("Pause déjeuner", datetime(2026, 12, d, 12, 30, tzinfo=PARIS),
                     datetime(2026, 12, d, 14, tzinfo=PARIS)) for d in range(1, 25)]
    whole, _ = build_schedule(config.practices[0], [*lunches, all_day("Congés", date(2026, 12, 27), 13),
                                                    all_day("Congé parental", date(2027, 1, 18), 60)],
                              config.offices, window)
    near = sliced(whole, datetime(2026, 11, 30, tzinfo=PARIS).timestamp(),
                  datetime(2027, 1, 11, tzinfo=PARIS).timestamp())

    # What a webhook decodes: the six weeks ahead, not the thirteen months.
    assert len(near.hour_starts) * 8 < len(whole.hour_starts) and len(near) == 24 + 1
    for instant in (datetime(2026, 12, 2, 10, tzinfo=PARIS),       # open
                    datetime(2026, 12, 2, 13, tzinfo=PARIS),       # lunch: reopens at 14:00
                    datetime(2026, 12, 28, 10, tzinfo=PARIS)):     # vacation: reopens on Saturday 9 January
        assert resolve_near(near, instant) == resolve_coverage(whole, instant)
    assert resolve_near(near, datetime(2026, 12, 28, 10, tzinfo=PARIS)).reopens_at == datetime(
        2027, 1, 9, 9, tzinfo=PARIS)
    # Past the weeks ahead, or closed with a reopening beyond them: the whole schedule answers.
    assert resolve_near(near, datetime(2027, 1, 20, 10, tzinfo=PARIS)) is None
    assert resolve_near(near, datetime(2027, 1, 10, 10, tzinfo=PARIS)) is None  # Sunday: opens 11 January
