"""Fault injection: the database unreachable at start, locked, deleted and read-only in the middle of
calls, and a broken configuration at start. Calls are played through the real signed webhooks by
the call simulator. Each test checks that every call ends with a person or a recorded voicemail,
and that every contact (calls and texts) is in the log, once, when the database is back."""
from __future__ import annotations

import random
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, select

from coverage.store import tables
from routing.simulate import OUTCOMES, CallSimulator, CallTranscript
from tests.conftest import POSTGRES_URL, Clock, build_app
from tests.reading import reading_of
from tests.routing.conftest import BASE, TOKEN, Twilio

DURING_VACATION = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)     # Tuesday 10:00 in Paris, the partner covers
OPEN = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)               # Monday 10:00 after it, the front desk
DUPONT = "+33186951234"
CALLERS = ["+33698765432", "+33611223344", "+33755512345", "+14385550123", "anonymous", "sip:alice@example.org"]
CALLS_PER_FAULT = 40


def make_app(settings: Any, tmp_path: Path, clock: Clock, **overrides: Any) -> Flask:
    return build_app(settings, tmp_path / "data", clock, TWILIO_AUTH_TOKEN=TOKEN, RELEVE_PUBLIC_URLS=(BASE,),
                     RELEVE_DATABASE_TIMEOUT=0.3, **overrides)


def play(app: Flask, count: int, seed: int, before_request: Callable[[int, int], None] | None = None,
         ) -> list[CallTranscript]:
    """`count` calls with random callers and dial outcomes; each must end with a person or a voicemail."""
    rng = random.Random(seed)
    played = []
    for index in range(count):
        hook = (lambda step, index=index: before_request(index, step)) if before_request else None
        simulator = CallSimulator(app, TOKEN, before_request=hook)
        outcomes = [rng.choice(OUTCOMES) for _ in range(rng.randint(0, 3))]
        transcript = simulator.call(DUPONT, rng.choice(CALLERS), outcomes)
        assert transcript.ended_with in ("person", "voicemail"), transcript.lines
        played.append(transcript)
    return played


def send_texts(app: Flask, count: int) -> list[str]:
    sids = []
    for index in range(count):
        sid = "SM" + secrets.token_hex(16)
        answer = Twilio(app).post("/twilio/sms", {"MessageSid": sid, "AccountSid": "AC" + "0" * 32,
                                                  "From": f"+3369876540{index}", "To": DUPONT,
                                                  "Body": f"Bonjour, c'est urgent ({index})", "NumMedia": "0"})
        assert answer.status_code == 200
        sids.append(sid)
    return sids


def assert_logged_once(app: Flask, played: list[CallTranscript], texts: list[str]) -> None:
    """Every call is in the log with what became of it, and every text, stored and handled."""
    with app.extensions["releve.db"].begin() as connection:
        rows = connection.execute(select(tables.calls)).all()
        stored = connection.execute(select(tables.texts)).all()
        forwards = connection.execute(select(tables.messages.c.dedupe_key).where(
            tables.messages.c.purpose == "forward")).scalars().all()
    by_sid = {row.call_sid: row for row in rows}
    assert len(by_sid) == len(rows)
    for transcript in played:
        row = by_sid.get(transcript.call_sid)
        assert row is not None, f"call {transcript.call_sid} is missing from the log"
        expected = "voicemail" if transcript.ended_with == "voicemail" else {"front_desk", "office", "answered"}
        assert row.outcome in expected if isinstance(expected, set) else row.outcome == expected, transcript.lines
        if row.outcome == "voicemail":
            assert row.recording_url
    assert sorted(t.message_sid for t in stored) == sorted(texts)
    assert [t.handling for t in stored] == ["forwarded"] * len(stored)
    assert sorted(forwards) == sorted(f"forward:{sid}" for sid in texts)


def recover(app: Flask) -> None:
    """The database answers again: the spool is replayed (and the texts in it handled)."""
    assert app.extensions["releve.contact_log"].replay() > 0
    assert app.extensions["releve.contact_log"].health.pending == 0


@pytest.fixture
def clock() -> Clock:
    return Clock(DURING_VACATION)


def test_a_database_locked_in_the_middle_of_a_call(example_settings, tmp_path, clock):
    app = make_app(example_settings, tmp_path, clock)
    path = tmp_path / "data" / "releve.sqlite3"
    Twilio(app).post("/twilio/voice/status", {"CallSid": "CA0", "CallStatus": "completed"})  # the file exists
    holder: list[sqlite3.Connection] = []

    def lock(call: int, step: int) -> None:
        if call == 0 and step == 1 and not holder:  # after the incoming call was logged
            holder.append(sqlite3.connect(path, timeout=0, isolation_level=None))
            holder[0].execute("BEGIN EXCLUSIVE")

    played = play(app, CALLS_PER_FAULT, seed=1, before_request=lock)
    texts = send_texts(app, 3)
    holder[0].execute("ROLLBACK")
    recover(app)

    assert_logged_once(app, played, texts)


def test_a_database_turned_read_only_in_the_middle_of_a_call(example_settings, tmp_path, clock):
    app = make_app(example_settings, tmp_path, clock)
    engine = app.extensions["releve.db"].engine()

    def read_only(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA query_only=ON")  # SQLite then refuses every write, as on a read-only disk

    def turn(call: int, step: int) -> None:
        if call == 0 and step == 2:
            event.listen(engine, "connect", read_only)
            engine.dispose()  # the connections already open take it too

    played = play(app, CALLS_PER_FAULT, seed=2, before_request=turn)
    texts = send_texts(app, 3)
    event.remove(engine, "connect", read_only)
    engine.dispose()
    recover(app)

    assert_logged_once(app, played, texts)


def test_a_database_file_deleted_in_the_middle_of_a_call(example_settings, tmp_path, clock):
    app = make_app(example_settings, tmp_path, clock)
    data = tmp_path / "data"

    def delete(call: int, step: int) -> None:
        if call == 2 and step == 1:
            for suffix in ("", "-wal", "-shm"):
                (data / f"releve.sqlite3{suffix}").unlink(missing_ok=True)

    played = play(app, CALLS_PER_FAULT, seed=3, before_request=delete)
    texts = send_texts(app, 3)

    # What was in the deleted file is gone with it; every call from the deletion on is in the new one.
    assert (data / "releve.sqlite3").exists()
    assert_logged_once(app, played[3:], texts)


@pytest.fixture
def missing_postgres_database() -> Iterator[tuple[str, Callable[[], None]]]:
    """The URL of a PostgreSQL database that does not exist yet, and how to make it."""
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server (TEST_POSTGRES_URL); .ci/run starts one")
    name = f"releve_faults_{secrets.token_hex(4)}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")

    def make() -> None:
        with server.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")

    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}", make
    with server.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    server.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_unreachable_from_the_start(example_settings, tmp_path, clock, backend, request):
    if backend == "sqlite":
        blocked = tmp_path / "blocked"
        blocked.write_text("a file where the database's folder should be")
        url, repair = f"sqlite:///{blocked / 'releve.sqlite3'}", blocked.unlink
    else:
        url, repair = request.getfixturevalue("missing_postgres_database")
    app = make_app(example_settings, tmp_path, clock, RELEVE_DATABASE_URL=url)

    played = play(app, CALLS_PER_FAULT, seed=4)
    texts = send_texts(app, 3)
    clock.now = OPEN
    played += play(app, 10, seed=5)  # open: the front desk, and the voicemail when it does not answer
    repair()
    reading_of(app).refresh(clock.now)  # the worker's next refresh (this one is the app's own)
    recover(app)

    assert_logged_once(app, played, texts)
    app.extensions["releve.db"].dispose()


def test_a_web_process_that_starts_without_its_database_takes_calls_through_the_fallback(example_settings, tmp_path,
                                                                                          clock):
    """The worker wrote the directory; the web process starts later, the database down: it knows
    each practice's lines from the directory's copy on disk, and rings them."""
    app = make_app(example_settings, tmp_path, clock)
    Twilio(app).twiml("/twilio/voice", {"CallSid": "CA0", "From": "+33698765432", "To": DUPONT})  # all stored
    (tmp_path / "data" / "releve.sqlite3").rename(tmp_path / "data" / "away.sqlite3")
    (tmp_path / "data" / "releve.sqlite3").mkdir()  # where the database was, nothing usable
    later = make_app(None, tmp_path, clock, RELEVE_EMBEDDED_WORKER=False)

    transcript = CallSimulator(later, TOKEN).call(DUPONT, "+33611223344", ["no-answer"])
    document = Twilio(later).twiml("/twilio/voice", {"CallSid": "CA1", "From": "+33611223344", "To": DUPONT})

    assert transcript.ended_with == "voicemail"
    assert [n.text for n in document.findall("Dial/Number")] == ["+33145678910", "+33142001122"]


def test_a_broken_configuration_at_start_still_reaches_someone(tmp_path, clock, monkeypatch):
    config = tmp_path / "releve.yaml"
    config.write_text("practices:\n  - id: broken\n    name: [\n", encoding="utf-8")
    monkeypatch.setenv("RELEVE_CONFIG", str(config))
    for fallback_numbers, expected in [((), "voicemail"), (("+33145678910",), "person")]:
        app = make_app(None, tmp_path, clock, RELEVE_FALLBACK_NUMBERS=fallback_numbers)
        assert app.config["RELEVE_SETTINGS"] is None

        for outcomes in (["completed"], ["no-answer"], []):
            transcript = CallSimulator(app, TOKEN).call(DUPONT, "+33698765432", outcomes)
            assert transcript.ended_with in ("person", "voicemail")
        assert CallSimulator(app, TOKEN).call(DUPONT, "+33698765432", ["completed"]).ended_with == expected
