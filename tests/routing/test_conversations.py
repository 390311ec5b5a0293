"""Whole calls, played like Twilio plays them: every conversation ends with a person or a voicemail."""
from __future__ import annotations

import tempfile
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app import create_app
from config.settings import CalendarSource
from routing.simulate import OUTCOMES, CallSimulator
from tests.builders import PARIS, hm, office, practice, settings, vcalendar, vevent, weekdays
from tests.reading import reading_of
from tests.routing.conftest import BASE, TOKEN

START = datetime(2027, 3, 1, tzinfo=PARIS)

closures = st.lists(st.tuples(st.integers(0, 40 * 24 * 4), st.integers(1, 10 * 24 * 4), st.booleans()), max_size=6)


def _app(spans, ask_to_accept, tmp, now):
    events = []
    for index, (start, length, names_office) in enumerate(spans):
        first = START + timedelta(minutes=15 * start)
        lines = ("DESCRIPTION:Relève : permanence",) if names_office else ()
        events.append(vevent(f"Fermeture <{index}> & co", first, first + timedelta(minutes=15 * length),
                             uid=f"e{index}@test", lines=lines))
    config = settings(
        practice(calendars=(CalendarSource("generated.ics"),),
                 opening_hours=weekdays((hm(8, 30), hm(12, 30)), (hm(14), hm(19)))),
        offices=(office("martin", ask_to_accept=ask_to_accept), office("permanence", phone="+33970001234")),
    )
    app = create_app(config, {"TESTING": True, "RELEVE_CLOCK": lambda: now, "RELEVE_DATA_DIR": tmp,
                              "RELEVE_DATABASE_URL": "sqlite://", "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_PUBLIC_URLS": (BASE,),
                              "RELEVE_BACKGROUND_REFRESH": False})
    registry = reading_of(app)
    registry.read = lambda location: vcalendar(*events)
    registry.refresh(now)
    return app


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spans=closures, minutes=st.integers(0, 45 * 24 * 60), ask_to_accept=st.booleans(),
       outcomes=st.lists(st.sampled_from(OUTCOMES), max_size=4),
       caller=st.sampled_from(["+33698765432", "anonymous", "+15145550123"]))
def test_every_call_ends_with_a_person_or_a_voicemail_whatever_the_calendar_and_the_dial_outcomes(
        spans, minutes, ask_to_accept, outcomes, caller):
    now = START + timedelta(minutes=minutes)
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(spans, ask_to_accept, tmp, now)
        transcript = CallSimulator(app, TOKEN).call("+33186951234", caller, list(outcomes))

    assert transcript.ended_with in ("person", "voicemail"), transcript.lines
    if outcomes[:1] == ["completed"]:  # the first number dialled answers and accepts
        assert transcript.ended_with == "person", transcript.lines
    if all(o in ("no-answer", "busy", "failed") for o in outcomes):
        assert transcript.ended_with == "voicemail", transcript.lines

def test_the_simulate_command_prints_the_conversation_step_by_step(example_settings, tmp_path, clock):
    app = create_app(example_settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                                        "RELEVE_BACKGROUND_REFRESH": False})

    result = app.test_cli_runner().invoke(args=["call", "simulate", "--practice", "cabinet-dupont",
                                                "--at", "2026-12-28T10:00", "--outcomes", "busy,completed"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith('  the caller hears: "Bonjour. Le cabinet dentaire Dupont est fermé')
    assert lines[2] == "  Twilio dials Cabinet du Dr Martin (+33142001122): busy"
    assert lines[3] == '  the caller hears: "La ligne est occupée. Nous appelons maintenant la permanence Accueil Santé."'
    assert lines[4] == "  Twilio dials Permanence Accueil Santé (+33970001234): completed"
    assert lines[-1] == "the call ended with a person: Permanence Accueil Santé"


def test_the_simulate_command_does_not_touch_the_real_contact_log_unless_asked(example_settings, tmp_path, clock):
    from sqlalchemy import func, select

    from coverage.store import tables
    app = create_app(example_settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                                        "RELEVE_BACKGROUND_REFRESH": False})
    runner = app.test_cli_runner()

    runner.invoke(args=["call", "simulate", "--practice", "cabinet-dupont", "--at", "2026-12-28T10:00"])
    with app.extensions["releve.db"].begin() as connection:
        assert connection.execute(select(func.count()).select_from(tables.calls)).scalar() == 0
    runner.invoke(args=["call", "simulate", "--practice", "cabinet-dupont", "--at", "2026-12-28T10:00", "--record"])
    with app.extensions["releve.db"].begin() as connection:
        assert connection.execute(select(tables.calls.c.outcome)).scalar() == "voicemail"


def test_simulating_an_unknown_outcome_says_which_exist(example_settings, tmp_path, clock):
    app = create_app(example_settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                                        "RELEVE_BACKGROUND_REFRESH": False})

    result = app.test_cli_runner().invoke(args=["call", "simulate", "--practice", "cabinet-dupont",
                                                "--outcomes", "answered"])

    assert result.exit_code != 0 and "no-answer" in result.output
