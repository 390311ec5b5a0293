"""Alerts, fail loud: the rules alone, then the practice and the administrator told once when a
problem starts and once when it is solved, by email and on the practice's page."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from calendars.model import Closure
from coverage.alerts import CalendarState, OpenAlert, Problem, changes, host_problems, practice_problems
from coverage.periods import CoveragePeriod
from coverage.store import tables
from routing.worker import raise_alerts
from tests.builders import office, practice
from tests.coverage.test_notices import example_copy, make_app, reread_calendars
from tests.routing.conftest import Clock

NOW = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
OFFICES = {"martin": office("martin")}


def _period(days_ahead: float, chain: tuple[str, ...] = ("martin",)) -> CoveragePeriod:
    start = NOW + timedelta(days=days_ahead)
    return CoveragePeriod("k", Closure(start, start + timedelta(days=3), "Congés", "uid"), chain, None)


def test_a_calendar_is_an_alert_only_once_it_failed_for_the_set_time():
    failing = CalendarState("agenda.ics", "cannot be reached", NOW - timedelta(hours=5, minutes=59))
    late = CalendarState("agenda.ics", "cannot be reached", NOW - timedelta(hours=6))

    assert practice_problems(practice(), OFFICES, [failing], [], 0, timedelta(hours=6), NOW) == []
    [problem] = practice_problems(practice(), OFFICES, [late], [], 0, timedelta(hours=6), NOW)
    assert (problem.kind, problem.facts["calendar"], problem.facts["error"]) == ("calendar", "agenda.ics",
                                                                                 "cannot be reached")


def test_a_closure_within_two_weeks_whose_offices_all_fail_to_connect_is_an_alert():
    soon, later = _period(10), _period(20)

    assert practice_problems(practice(), OFFICES, [], [soon], 0, timedelta(hours=6), NOW) == []
    found = practice_problems(practice(), OFFICES, [], [soon, later], 0, timedelta(hours=6), NOW,
                              frozenset({"martin"}))
    assert [p.kind for p in found] == ["no_office"]


def test_an_alert_opens_once_and_is_solved_once_and_other_practices_alerts_are_left_alone():
    problem = Problem("dupont", "calendar:a.ics", "calendar")
    new, solved = changes([], [problem], {"dupont"})
    assert new == [problem] and solved == []

    still_open = [OpenAlert(1, "dupont", "calendar:a.ics"), OpenAlert(2, "plateau", "messages")]
    assert changes(still_open, [problem], {"dupont"}) == ([], [])
    assert changes(still_open, [], {"dupont"}) == ([], [still_open[0]])


def test_the_contact_log_stuck_in_a_spool_is_the_hosts_alert_after_five_minutes():
    assert host_problems(NOW - timedelta(minutes=4), 3, NOW) == []
    [problem] = host_problems(NOW - timedelta(minutes=5), 3, NOW)
    assert (problem.practice_id, problem.kind, problem.facts["count"]) == ("", "contact_log", "3")


def _alert_emails(app):
    with app.extensions["releve.db"].begin() as connection:
        return list(connection.execute(select(tables.messages).where(tables.messages.c.purpose == "alert")
                                       .order_by(tables.messages.c.id)))


def test_an_unreadable_calendar_is_told_once_to_the_practice_and_the_administrator_then_once_solved(tmp_path):
    folder = example_copy(tmp_path)
    clock = Clock(NOW)
    app = make_app(folder, tmp_path / "data", clock, RELEVE_ADMIN_EMAIL="hebergeur@example.fr")
    reread_calendars(app, clock)
    saved = tmp_path / "saved.ics"
    shutil.move(folder / "jours-feries-france.ics", saved)
    clock.now = NOW + timedelta(minutes=15)
    reread_calendars(app, clock)

    clock.now = NOW + timedelta(hours=6)
    assert raise_alerts(app) == []
    clock.now = NOW + timedelta(hours=6, minutes=16)
    lines = raise_alerts(app)
    again = raise_alerts(app)

    assert lines == ["alert: cabinet-dupont: calendar:jours-feries-france.ics"] and again == []
    emails = _alert_emails(app)
    assert sorted(e.recipient for e in emails) == ["hebergeur@example.fr", "secretariat@cabinet-dupont.example.fr"]
    assert "Le calendrier jours-feries-france.ics n'a pas pu être lu depuis le lundi 14 décembre 2026" in emails[0].body
    with app.extensions["releve.db"].begin() as connection:
        [alert] = connection.execute(select(tables.alerts)).all()
    assert alert.resolved_at is None

    shutil.move(saved, folder / "jours-feries-france.ics")
    reread_calendars(app, clock)
    solved = raise_alerts(app)

    assert solved == ["solved: cabinet-dupont: calendar:jours-feries-france.ics"] and raise_alerts(app) == []
    emails = _alert_emails(app)
    assert len(emails) == 4 and all("résolu" in e.subject for e in emails[2:])


def test_the_administrator_sees_every_practices_open_alerts_on_the_home_page(tmp_path):
    from tests.browser import ADMIN_PASSWORD, ADMIN_USER
    from tests.conftest import sign_in

    folder = example_copy(tmp_path)
    clock = Clock(NOW)
    app = make_app(folder, tmp_path / "data", clock, RELEVE_ADMIN_USER=ADMIN_USER, RELEVE_ADMIN_PASSWORD=ADMIN_PASSWORD)
    reread_calendars(app, clock)
    (folder / "jours-feries-quebec.ics").unlink()
    reread_calendars(app, clock)
    clock.now = NOW + timedelta(hours=7)
    raise_alerts(app)
    client = app.test_client()
    sign_in(client)

    home = client.get("/").get_data(as_text=True)

    assert 'id="alerts"' in home and "clinique-plateau" in home and "jours-feries-quebec.ics" in home
