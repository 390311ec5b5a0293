"""Real exports from Google, Outlook, iCloud, Thunderbird, Nextcloud and a holiday feed, read as closures.

Each `.ics` file next to this one is written the way its producer writes it (CRLF, lines folded at
75 octets, its PRODID and its own properties). The practice is in Europe/Paris unless a test says
otherwise; 2027 has the Paris changes on 28 March and 31 October, the Montreal ones on 14 March
and 7 November. `span()` shows a closure as the practice would read it: local time and UTC offset.
"""
from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from calendars.errors import NotACalendar
from calendars.model import CalendarReading, Closure, ClosureFilter
from calendars.parse import read_calendar
from tests.builders import MONTREAL, PARIS, vcalendar, vevent

PRODUCERS = ("google", "outlook", "icloud", "thunderbird", "nextcloud", "holidays", "broken")
_VEVENT = re.compile(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.DOTALL)


@pytest.fixture
def read(producer_calendar):
    """Read a producer's file for a practice in `tz`, over 2027 unless told otherwise."""
    def read(name: str, tz: ZoneInfo = PARIS, *, start: datetime | None = None, end: datetime | None = None,
             selection: ClosureFilter | None = None) -> CalendarReading:
        return read_calendar(producer_calendar.read(name), tz=tz, start=start or datetime(2027, 1, 1, tzinfo=tz),
                             end=end or datetime(2028, 1, 1, tzinfo=tz), source=f"{name}.ics", selection=selection)
    return read


def span(closure: Closure) -> tuple[str, str]:
    return f"{closure.start:%Y-%m-%d %H:%M%z}", f"{closure.end:%Y-%m-%d %H:%M%z}"


def starting_on(reading: CalendarReading, day: date) -> list[Closure]:
    return [c for c in reading.closures if c.start.date() == day]


def titled(reading: CalendarReading, summary: str) -> list[Closure]:
    return [c for c in reading.closures if c.summary == summary]


def local_days(closure: Closure) -> int:
    return (closure.end.date() - closure.start.date()).days


def elapsed(closure: Closure) -> timedelta:
    # Through UTC: between two times of the same zone, Python subtracts wall-clock times.
    return closure.end.astimezone(UTC) - closure.start.astimezone(UTC)


# Google: UTC times with X-WR-TIMEZONE, HTML descriptions, free all-day events.

def test_google_lunch_break_stays_at_half_past_twelve_across_the_spring_dst_change(read):
    reading = read("google")

    assert [span(c) for c in starting_on(reading, date(2027, 3, 22))] == [
        ("2027-03-22 12:30+0100", "2027-03-22 14:30+0100")]
    assert [span(c) for c in starting_on(reading, date(2027, 4, 5))] == [
        ("2027-04-05 12:30+0200", "2027-04-05 14:30+0200")]


def test_google_lunch_break_stays_at_half_past_twelve_across_the_autumn_dst_change(read):
    reading = read("google")

    assert [span(c) for c in starting_on(reading, date(2027, 10, 25))] == [
        ("2027-10-25 12:30+0200", "2027-10-25 14:30+0200")]
    assert [span(c) for c in starting_on(reading, date(2027, 11, 8))] == [
        ("2027-11-08 12:30+0100", "2027-11-08 14:30+0100")]


def test_google_easter_monday_lunch_break_removed_by_exdate_is_not_a_closure(read):
    assert starting_on(read("google"), date(2027, 3, 29)) == []


def test_google_moved_lunch_break_is_from_one_to_three_on_that_monday_only(read):
    reading = read("google")

    moved = starting_on(reading, date(2027, 4, 12))
    assert [(span(c), c.summary) for c in moved] == [
        (("2027-04-12 13:00+0200", "2027-04-12 15:00+0200"), "Pause déjeuner (décalée)")]
    assert [span(c) for c in starting_on(reading, date(2027, 4, 26))] == [
        ("2027-04-26 12:30+0200", "2027-04-26 14:30+0200")]


def test_google_cancelled_lunch_break_leaves_that_monday_open(read):
    reading = read("google")

    assert starting_on(reading, date(2027, 4, 19)) == []
    assert len(starting_on(reading, date(2027, 4, 26))) == 1


def test_google_endless_lunch_break_is_every_monday_of_the_window_and_no_further(read):
    reading = read("google")

    breaks = [c for c in reading.closures if c.summary.startswith("Pause déjeuner")]
    # 44 Mondays from 1 March to 27 December, less Easter Monday (EXDATE) and 19 April (cancelled).
    assert len(breaks) == 42
    assert breaks[-1].start == datetime(2027, 12, 27, 12, 30, tzinfo=PARIS)


def test_google_endless_lunch_break_far_in_the_future_gives_just_the_mondays_of_a_two_week_window(read):
    reading = read("google", start=datetime(2040, 6, 1, tzinfo=PARIS), end=datetime(2040, 6, 15, tzinfo=PARIS))

    assert [span(c) for c in reading.closures] == [
        ("2040-06-04 12:30+0200", "2040-06-04 14:30+0200"),
        ("2040-06-11 12:30+0200", "2040-06-11 14:30+0200"),
    ]


def test_google_transparent_summer_holiday_closes_21_whole_days_from_local_midnight(read):
    (summer,) = titled(read("google"), "Congés d'été – cabinet fermé")

    assert span(summer) == ("2027-08-02 00:00+0200", "2027-08-23 00:00+0200")
    assert summer.is_all_day
    assert local_days(summer) == 21


def test_google_html_description_names_the_covering_office(read):
    (summer,) = titled(read("google"), "Congés d'été – cabinet fermé")

    assert summer.offices == ("Cabinet du Dr Martin",)


def test_google_plain_description_names_two_offices_in_order(read):
    (bridge,) = titled(read("google"), "Pont de l'Ascension")

    assert bridge.offices == ("Cabinet du Dr Martin", "Permanence Santé")
    assert span(bridge) == ("2027-05-07 00:00+0200", "2027-05-08 00:00+0200")


def test_google_utc_training_reads_as_two_to_six_in_the_afternoon_in_paris(read):
    (training,) = titled(read("google"), "Formation continue – cabinet fermé l'après-midi")

    assert span(training) == ("2027-06-18 14:00+0200", "2027-06-18 18:00+0200")
    assert training.offices == ("Permanence Santé",)


def test_google_cancelled_closure_is_not_a_closure(read):
    reading = read("google")

    assert titled(reading, "Fermeture exceptionnelle – travaux") == []
    assert starting_on(reading, date(2027, 7, 9)) == []


# Outlook / Exchange: Windows zone names, X-ALT-DESC, X-MICROSOFT-CDO-*.

def test_outlook_wednesday_afternoon_closure_stays_at_two_across_the_autumn_dst_change(read):
    reading = read("outlook")

    assert [span(c) for c in starting_on(reading, date(2027, 10, 27))] == [
        ("2027-10-27 14:00+0200", "2027-10-27 19:00+0200")]
    assert [span(c) for c in starting_on(reading, date(2027, 11, 3))] == [
        ("2027-11-03 14:00+0100", "2027-11-03 19:00+0100")]


def test_outlook_wednesdays_removed_by_exdate_during_the_summer_are_open(read):
    reading = read("outlook")

    assert starting_on(reading, date(2027, 8, 11)) == []
    assert starting_on(reading, date(2027, 8, 18)) == []
    assert len(starting_on(reading, date(2027, 8, 4))) == 1
    assert len(starting_on(reading, date(2027, 8, 25))) == 1


def test_outlook_office_named_only_in_the_html_alt_description_is_found(read):
    (seminar,) = titled(read("outlook"), "Séminaire d'équipe – cabinet fermé")

    assert seminar.offices == ("Cabinet du Dr Martin", "Permanence Santé")
    assert span(seminar) == ("2027-09-16 08:30+0200", "2027-09-16 18:30+0200")


def test_outlook_year_end_closure_covers_eleven_whole_days_into_the_new_year(read):
    (year_end,) = titled(read("outlook"), "Fermeture annuelle")

    assert span(year_end) == ("2027-12-23 00:00+0100", "2028-01-03 00:00+0100")
    assert local_days(year_end) == 11
    assert year_end.offices == ("Permanence Santé",)


def test_outlook_windows_zone_without_vtimezone_is_london_time(read):
    (demo,) = titled(read("outlook"), "Démonstration logiciel – standard fermé")

    # GMT Standard Time is Europe/London: 09:00 there is 10:00 in Paris.
    assert span(demo) == ("2027-11-04 10:00+0100", "2027-11-04 11:30+0100")


def test_outlook_w_europe_standard_time_is_berlin_time_not_the_practices_own(read):
    (training,) = titled(read("outlook", MONTREAL), "Formation implantologie – cabinet fermé")

    # 09:00 in Berlin is 03:00 in Montreal; read as floating time it would be 09:00.
    assert span(training) == ("2027-05-21 03:00-0400", "2027-05-21 11:00-0400")


# Apple iCloud: DURATION, floating times, all-day dates.

def test_icloud_duration_ends_the_general_assembly_at_half_past_five(read):
    (assembly,) = titled(read("icloud"), "Cabinet fermé – assemblée générale")

    assert span(assembly) == ("2027-06-10 14:00+0200", "2027-06-10 17:30+0200")


def test_icloud_uppercase_releve_line_names_the_covering_office(read):
    (assembly,) = titled(read("icloud"), "Cabinet fermé – assemblée générale")

    assert assembly.offices == ("Cabinet du Dr Martin",)


def test_icloud_floating_meeting_is_at_nine_in_whichever_zone_the_practice_is(read):
    summary = "Réunion du conseil de l'ordre – standard fermé"
    (in_paris,) = titled(read("icloud", PARIS), summary)
    (in_montreal,) = titled(read("icloud", MONTREAL), summary)

    assert span(in_paris) == ("2027-06-17 09:00+0200", "2027-06-17 11:00+0200")
    assert span(in_montreal) == ("2027-06-17 09:00-0400", "2027-06-17 11:00-0400")
    assert in_montreal.start - in_paris.start == timedelta(hours=6)


def test_icloud_all_day_congress_is_four_days_from_midnight_in_the_practices_zone(read):
    summary = "Congrès ADF – cabinet fermé"
    (in_paris,) = titled(read("icloud", PARIS), summary)
    (in_montreal,) = titled(read("icloud", MONTREAL), summary)

    assert span(in_paris) == ("2027-11-24 00:00+0100", "2027-11-28 00:00+0100")
    assert span(in_montreal) == ("2027-11-24 00:00-0500", "2027-11-28 00:00-0500")
    assert in_paris.offices == ("Permanence Santé",)


def test_icloud_autumn_holiday_over_the_dst_change_ends_at_midnight_after_169_hours(read):
    (holiday,) = titled(read("icloud"), "Vacances de la Toussaint")

    assert span(holiday) == ("2027-10-25 00:00+0200", "2027-11-01 00:00+0100")
    assert elapsed(holiday) == timedelta(hours=7 * 24 + 1)


# Thunderbird: COUNT, RDATE, CATEGORIES.

def test_thunderbird_training_has_four_weekly_sessions_and_one_extra_date(read):
    sessions = titled(read("thunderbird"), "Formation radioprotection")

    assert [c.start.date() for c in sessions] == [
        date(2027, 3, 11), date(2027, 3, 18), date(2027, 3, 25), date(2027, 4, 1), date(2027, 4, 15)]


def test_thunderbird_training_stays_at_two_across_the_spring_dst_change(read):
    sessions = titled(read("thunderbird"), "Formation radioprotection")

    assert [span(c) for c in sessions[2:]] == [
        ("2027-03-25 14:00+0100", "2027-03-25 18:00+0100"),
        ("2027-04-01 14:00+0200", "2027-04-01 18:00+0200"),
        ("2027-04-15 14:00+0200", "2027-04-15 18:00+0200"),
    ]


def test_thunderbird_selection_by_category_and_title_words_keeps_only_the_closures(read):
    selection = ClosureFilter(categories=("fermeture",), title_contains=("fermé",))

    summaries = {c.summary for c in read("thunderbird", selection=selection).closures}

    assert summaries == {"Formation radioprotection", "Lundi de Pentecôte", "Cabinet FERME - inventaire annuel"}


def test_thunderbird_category_selection_ignores_case_and_accents(read):
    reading = read("thunderbird", selection=ClosureFilter(categories=("JOURS FERIES",)))

    assert [(span(c), c.summary) for c in reading.closures] == [
        (("2027-05-17 00:00+0200", "2027-05-18 00:00+0200"), "Lundi de Pentecôte")]


def test_thunderbird_title_selection_ignores_case_and_accents(read):
    reading = read("thunderbird", selection=ClosureFilter(title_contains=("Fermé",)))

    assert [c.summary for c in reading.closures] == ["Cabinet FERME - inventaire annuel"]


def test_thunderbird_without_a_selection_every_event_is_a_closure(read):
    summaries = {c.summary for c in read("thunderbird").closures}

    assert "Anniversaire de Sophie" in summaries
    assert "Visite du délégué Henry Schein" in summaries


def test_thunderbird_yearly_birthday_without_an_end_comes_once_in_each_year_of_the_window(read):
    reading = read("thunderbird", start=datetime(2027, 1, 1, tzinfo=PARIS), end=datetime(2031, 1, 1, tzinfo=PARIS))

    birthdays = titled(reading, "Anniversaire de Sophie")
    assert [c.start.date() for c in birthdays] == [date(year, 6, 12) for year in (2027, 2028, 2029, 2030)]


# Nextcloud: America/Toronto VTIMEZONE for a Montreal clinic, monthly BYDAY.

def test_nextcloud_friday_training_stays_at_one_pm_across_the_march_14_change(read):
    reading = read("nextcloud", MONTREAL)

    (before,) = starting_on(reading, date(2027, 3, 12))
    (after,) = starting_on(reading, date(2027, 3, 19))
    assert span(before) == ("2027-03-12 13:00-0500", "2027-03-12 17:00-0500")
    assert span(after) == ("2027-03-19 13:00-0400", "2027-03-19 17:00-0400")
    assert before.start.astimezone(UTC).hour == 18
    assert after.start.astimezone(UTC).hour == 17


def test_nextcloud_friday_training_stays_at_one_pm_across_the_november_7_change(read):
    reading = read("nextcloud", MONTREAL)

    assert [span(c) for c in starting_on(reading, date(2027, 11, 5))] == [
        ("2027-11-05 13:00-0400", "2027-11-05 17:00-0400")]
    assert [span(c) for c in starting_on(reading, date(2027, 11, 12))] == [
        ("2027-11-12 13:00-0500", "2027-11-12 17:00-0500")]


def test_nextcloud_friday_training_seen_from_paris_is_an_hour_earlier_while_only_montreal_has_changed(read):
    reading = read("nextcloud", PARIS)
    summary = "Clinique fermée – formation du personnel"

    by_day = {c.start.date(): c for c in titled(reading, summary)}
    assert span(by_day[date(2027, 3, 12)])[0] == "2027-03-12 19:00+0100"
    assert span(by_day[date(2027, 3, 19)])[0] == "2027-03-19 18:00+0100"
    assert span(by_day[date(2027, 4, 2)])[0] == "2027-04-02 19:00+0200"


def test_nextcloud_training_ends_with_its_until_date(read):
    trainings = titled(read("nextcloud", MONTREAL), "Clinique fermée – formation du personnel")

    assert trainings[0].start.date() == date(2027, 2, 26)
    assert trainings[-1].start.date() == date(2027, 12, 17)
    assert len(trainings) == 43


def test_nextcloud_monthly_meeting_is_on_the_first_monday_at_eight_all_year(read):
    meetings = titled(read("nextcloud", MONTREAL), "Réunion clinique – fermé en matinée")

    assert [c.start.date() for c in meetings] == [
        date(2027, 1, 4), date(2027, 2, 1), date(2027, 3, 1), date(2027, 4, 5), date(2027, 5, 3), date(2027, 6, 7),
        date(2027, 7, 5), date(2027, 8, 2), date(2027, 9, 6), date(2027, 10, 4), date(2027, 11, 1), date(2027, 12, 6)]
    assert {(c.start.hour, c.start.minute, c.end.hour) for c in meetings} == {(8, 0, 10)}


def test_nextcloud_couverture_line_gives_two_offices_separated_by_a_semicolon(read):
    training = titled(read("nextcloud", MONTREAL), "Clinique fermée – formation du personnel")[0]

    assert training.offices == ("Clinique dentaire du Plateau", "Info-Santé 811")


def test_nextcloud_cancelled_canada_day_is_not_a_closure_but_fete_nationale_is(read):
    reading = read("nextcloud", MONTREAL)

    assert titled(reading, "Fête du Canada – clinique fermée") == []
    (fete,) = titled(reading, "Fête nationale du Québec")
    assert span(fete) == ("2027-06-24 00:00-0400", "2027-06-25 00:00-0400")


# A public-holiday feed: no DTEND, DTEND equal to DTSTART, every day transparent.

def test_holidays_are_eleven_whole_local_days_however_their_end_is_written(read):
    reading = read("holidays")

    assert len(reading.closures) == 11
    assert reading.problems == ()
    for holiday in reading.closures:
        assert holiday.is_all_day, holiday.summary
        assert (holiday.start.hour, holiday.end.hour) == (0, 0), holiday.summary
        assert local_days(holiday) == 1, holiday.summary


@pytest.mark.parametrize(("summary", "day"), [
    ("Jour de l'an", date(2027, 1, 1)),  # no DTEND
    ("Lundi de Pâques", date(2027, 3, 29)),  # DTEND equal to DTSTART
    ("Fête du Travail", date(2027, 5, 1)),  # DTEND the next day
    ("Fête nationale", date(2027, 7, 14)),  # DTEND equal to DTSTART
    ("Toussaint", date(2027, 11, 1)),  # no DTEND
])
def test_holiday_closes_the_practice_from_midnight_to_midnight(read, summary, day):
    (holiday,) = titled(read("holidays"), summary)

    assert holiday.start == datetime.combine(day, datetime.min.time(), PARIS)
    assert holiday.end == datetime.combine(day + timedelta(days=1), datetime.min.time(), PARIS)


# A calendar with one broken event.

def test_broken_rule_is_reported_with_the_event_title_and_its_line(read):
    (problem,) = read("broken").problems

    assert problem.summary == "Garde partagée un vendredi sur deux"
    assert problem.line == 31
    assert "RRULE" in problem.message
    assert str(problem).startswith('broken.ics:31: event "Garde partagée un vendredi sur deux" skipped')


def test_the_other_events_of_a_calendar_with_a_broken_one_are_still_closures(read):
    reading = read("broken")

    assert [(span(c), c.summary) for c in reading.closures] == [
        (("2027-03-05 14:00+0100", "2027-03-05 18:00+0100"), "Formation hygiène – cabinet fermé l'après-midi"),
        (("2027-07-12 00:00+0200", "2027-07-14 00:00+0200"), "Pont du 14 juillet – cabinet fermé"),
    ]


# Every producer: the order of events in the file does not matter.

def _reordered(data: bytes, seed: int | None) -> bytes:
    """The same calendar with its VEVENT blocks reversed (seed None) or shuffled."""
    blocks = _VEVENT.findall(data)
    first, last = data.index(blocks[0]), data.rindex(blocks[-1]) + len(blocks[-1])
    assert data[first:last] == b"".join(blocks), "the events of the file are not contiguous"
    moved = blocks[::-1] if seed is None else random.Random(seed).sample(blocks, len(blocks))
    return data[:first] + b"".join(moved) + data[last:]


@pytest.mark.parametrize("name", PRODUCERS)
@pytest.mark.parametrize("seed", [None, 1, 2027])
def test_producer_calendar_reads_the_same_whatever_the_order_of_its_events(producer_calendar, name, seed):
    data = producer_calendar.read(name)
    window = dict(tz=PARIS, start=datetime(2027, 1, 1, tzinfo=PARIS), end=datetime(2028, 1, 1, tzinfo=PARIS))

    as_written = read_calendar(data, **window)
    reordered = read_calendar(_reordered(data, seed), **window)

    assert reordered.closures == as_written.closures
    assert [(p.summary, p.message) for p in reordered.problems] == [(p.summary, p.message) for p in as_written.problems]


def test_producer_files_are_written_with_crlf_and_folded_at_75_octets(producer_calendar):
    for name in PRODUCERS:
        data = producer_calendar.read(name)
        assert data.count(b"\n") == data.count(b"\r\n"), name
        assert max(len(line) for line in data.split(b"\r\n")) <= 75, name
        assert b"\r\n " in data, f"{name} has no folded line"


# Small synthetic cases, written with the builders.

def _window(tz: ZoneInfo = PARIS) -> dict[str, object]:
    return dict(tz=tz, start=datetime(2027, 1, 1, tzinfo=tz), end=datetime(2028, 1, 1, tzinfo=tz), source="t.ics")


def test_login_page_instead_of_a_calendar_is_not_a_calendar(producer_calendar):
    data = producer_calendar.path("login-page").with_suffix(".html").read_bytes()

    with pytest.raises(NotACalendar) as raised:
        read_calendar(data, **_window())
    assert "web page" in raised.value.message


def test_event_ending_before_it_starts_is_reported_not_turned_around():
    data = vcalendar(
        vevent("Formation", datetime(2027, 3, 5, 14, tzinfo=PARIS), datetime(2027, 3, 5, 18, tzinfo=PARIS)),
        vevent("Fermeture à l'envers", datetime(2027, 3, 6, 14, tzinfo=PARIS), datetime(2027, 3, 6, 10, tzinfo=PARIS)),
    )

    reading = read_calendar(data, **_window())

    assert [c.summary for c in reading.closures] == ["Formation"]
    (problem,) = reading.problems
    assert (problem.summary, problem.line, problem.message) == (
        "Fermeture à l'envers", 11, "skipped: it ends before it starts")


def test_all_day_event_ending_the_day_before_it_starts_is_reported():
    data = vcalendar(vevent("Pont", date(2027, 5, 7), date(2027, 5, 6)))

    reading = read_calendar(data, **_window())

    assert reading.closures == ()
    assert [(p.summary, p.message) for p in reading.problems] == [("Pont", "skipped: it ends before it starts")]


def test_timed_event_without_end_is_reported_and_skipped():
    data = vcalendar(
        vevent("Sans fin", datetime(2027, 3, 6, 14, tzinfo=PARIS)),
        vevent("Formation", datetime(2027, 3, 5, 14, tzinfo=PARIS), datetime(2027, 3, 5, 18, tzinfo=PARIS)),
    )

    reading = read_calendar(data, **_window())

    assert [c.summary for c in reading.closures] == ["Formation"]
    (problem,) = reading.problems
    assert (problem.summary, problem.line) == ("Sans fin", 4)
    assert "no end time or duration" in problem.message


def test_broken_rule_in_a_google_style_utc_calendar_is_reported_as_a_broken_rule():
    utc = UTC
    data = vcalendar(
        vevent("Garde", datetime(2027, 3, 5, 13, tzinfo=utc), datetime(2027, 3, 5, 17, tzinfo=utc),
               lines=("RRULE:FREQ=FORTNIGHTLY;BYDAY=FR",)),
        vevent("Formation", datetime(2027, 3, 6, 13, tzinfo=utc), datetime(2027, 3, 6, 17, tzinfo=utc)),
        headers=("X-WR-TIMEZONE:Europe/Paris",),
    )

    reading = read_calendar(data, **_window())

    assert [span(c) for c in reading.closures] == [("2027-03-06 14:00+0100", "2027-03-06 18:00+0100")]
    (problem,) = reading.problems
    assert problem.summary == "Garde"
    assert problem.message.startswith("skipped: its RRULE cannot be read")


def test_all_day_closure_on_the_spring_dst_sunday_lasts_23_hours_from_midnight_to_midnight():
    data = vcalendar(vevent("Dimanche de garde", date(2027, 3, 28), date(2027, 3, 29)))

    (sunday,) = read_calendar(data, **_window()).closures

    assert span(sunday) == ("2027-03-28 00:00+0100", "2027-03-29 00:00+0200")
    assert elapsed(sunday) == timedelta(hours=23)


def test_all_day_closure_on_the_montreal_autumn_dst_sunday_lasts_25_hours():
    data = vcalendar(vevent("Dimanche", date(2027, 11, 7), date(2027, 11, 7)))

    (sunday,) = read_calendar(data, **_window(MONTREAL)).closures

    assert span(sunday) == ("2027-11-07 00:00-0400", "2027-11-08 00:00-0500")
    assert elapsed(sunday) == timedelta(hours=25)


@pytest.mark.parametrize("start", [datetime(2027, 3, 28, 2, 30, tzinfo=PARIS), datetime(2027, 3, 28, 2, 30)],
                         ids=["in-the-practice-zone", "floating"])
def test_closure_starting_in_the_hour_skipped_in_spring_starts_at_half_past_three(start):
    data = vcalendar(vevent("Maintenance", start, start.replace(hour=5, minute=0)))

    (closure,) = read_calendar(data, **_window()).closures

    assert span(closure) == ("2027-03-28 03:30+0200", "2027-03-28 05:00+0200")
    assert closure.contains(datetime(2027, 3, 28, 1, 45, tzinfo=UTC))
    assert not closure.contains(datetime(2027, 3, 28, 1, 15, tzinfo=UTC))


def test_window_given_in_utc_still_finds_the_all_day_closure_on_a_montreal_evening():
    data = vcalendar(vevent("Congrès", date(2027, 11, 24), date(2027, 11, 25)))
    # 21:00 to 22:00 on 24 November in Montreal, written in UTC.
    start, end = datetime(2027, 11, 25, 2, tzinfo=UTC), datetime(2027, 11, 25, 3, tzinfo=UTC)

    reading = read_calendar(data, tz=MONTREAL, start=start, end=end)

    assert [span(c) for c in reading.closures] == [("2027-11-24 00:00-0500", "2027-11-25 00:00-0500")]


def test_window_given_in_utc_still_finds_a_floating_closure_in_the_practices_morning():
    data = vcalendar(vevent("Réunion", datetime(2027, 6, 17, 9), datetime(2027, 6, 17, 11)))
    # 10:30 to 10:45 in Montreal, written in UTC.
    start, end = datetime(2027, 6, 17, 14, 30, tzinfo=UTC), datetime(2027, 6, 17, 14, 45, tzinfo=UTC)

    reading = read_calendar(data, tz=MONTREAL, start=start, end=end)

    assert [span(c) for c in reading.closures] == [("2027-06-17 09:00-0400", "2027-06-17 11:00-0400")]


def test_window_end_is_exclusive_and_a_closure_ending_at_its_start_is_left_out():
    data = vcalendar(
        vevent("Avant", datetime(2027, 5, 3, 8, tzinfo=PARIS), datetime(2027, 5, 3, 9, tzinfo=PARIS)),
        vevent("Dedans", datetime(2027, 5, 3, 9, tzinfo=PARIS), datetime(2027, 5, 3, 10, tzinfo=PARIS)),
        vevent("Après", datetime(2027, 5, 3, 10, tzinfo=PARIS), datetime(2027, 5, 3, 11, tzinfo=PARIS)),
    )

    reading = read_calendar(data, tz=PARIS, start=datetime(2027, 5, 3, 9, tzinfo=PARIS),
                            end=datetime(2027, 5, 3, 10, tzinfo=PARIS))

    assert [c.summary for c in reading.closures] == ["Dedans"]


def test_cancelled_series_cancels_every_occurrence():
    data = vcalendar(vevent("Pause", datetime(2027, 3, 1, 12, tzinfo=PARIS), datetime(2027, 3, 1, 14, tzinfo=PARIS),
                            lines=("RRULE:FREQ=DAILY", "STATUS:CANCELLED")))

    assert read_calendar(data, **_window()).closures == ()


def test_transparent_event_still_closes_the_practice():
    data = vcalendar(vevent("Fermé", date(2027, 8, 16), date(2027, 8, 17), lines=("TRANSP:TRANSPARENT",)))

    (closure,) = read_calendar(data, **_window()).closures

    assert span(closure) == ("2027-08-16 00:00+0200", "2027-08-17 00:00+0200")
