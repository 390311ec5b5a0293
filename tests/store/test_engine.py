"""The database as processes meet it: many starting together on a new data folder, the file
deleted under a running process, a database that is not there at all, and files only the
service user can read."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from coverage.store import Store, contacts
from coverage.store.tables import calls
from tests.conftest import ROOT, Clock, build_app
from tests.reading import reading_of
from tests.routing.conftest import BASE, TOKEN, Twilio, incoming

AT = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)


def _call(sid: str) -> contacts.CallStart:
    return contacts.CallStart(sid, "cabinet-dupont", "+33698765432", "+33186951234", AT, False, "Congés", ("m",))


def _count(store: Store) -> int:
    with store.begin() as connection:
        return int(connection.execute(select(func.count()).select_from(calls)).scalar_one())


def test_any_number_of_processes_can_start_together_on_a_new_data_folder(tmp_path):
    folder, go = tmp_path / "new-data", tmp_path / "go"
    script = textwrap.dedent(f"""
        import os, sys, time
        from datetime import datetime, UTC
        while not os.path.exists({str(go)!r}):
            time.sleep(0.005)
        from app import create_app
        from coverage.store import contacts
        app = create_app(None, {{"TESTING": True}})
        event = contacts.CallStart("CA" + sys.argv[1], "cabinet-dupont", "+33698765432", "+33186951234",
                                   datetime.now(UTC), True, None, ())
        assert app.extensions["releve.contact_log"].write(event) is True, "spooled instead of written"
    """)
    environment = {**os.environ, "RELEVE_DATA_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, "-c", script, str(index)], cwd=ROOT, env=environment,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for index in range(16)]
    time.sleep(2.0)  # every interpreter is up and waiting
    go.touch()
    results = [process.communicate(timeout=120) + (process.returncode,) for process in processes]

    failures = [err.decode()[-600:] for _, err, code in results if code != 0]
    assert failures == []
    store = Store(f"sqlite:///{folder / 'releve.sqlite3'}")
    assert _count(store) == 16
    secrets = {(folder / "secret_key").read_text()}
    assert len(secrets) == 1 and len(secrets.pop()) > 20
    store.dispose()


def test_a_database_file_deleted_under_a_running_process_is_made_again_and_written(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'releve.sqlite3'}")
    with store.begin() as connection:
        contacts.apply(connection, _call("CA1"))
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"releve.sqlite3{suffix}").unlink(missing_ok=True)

    with store.begin() as connection:
        contacts.apply(connection, _call("CA2"))

    assert (tmp_path / "releve.sqlite3").exists()
    fresh = Store(f"sqlite:///{tmp_path / 'releve.sqlite3'}")
    with fresh.begin() as connection:
        assert connection.execute(select(calls.c.call_sid)).scalars().all() == ["CA2"]
    store.dispose()
    fresh.dispose()


def test_the_app_starts_and_answers_calls_when_the_database_cannot_be_reached(example_settings, tmp_path):
    clock = Clock(AT)
    app = build_app(example_settings, tmp_path / "data", clock, TWILIO_AUTH_TOKEN=TOKEN, RELEVE_PUBLIC_URLS=(BASE,),
                    RELEVE_DATABASE_URL="postgresql+psycopg://releve@127.0.0.1:9/releve", RELEVE_DATABASE_TIMEOUT=1)

    document = Twilio(app).twiml("/twilio/voice", incoming())

    # Nothing could be stored for it, so nothing says who covers: the fallback, which reaches someone.
    assert [verb.tag for verb in document] == ["Say", "Record", "Hangup"]
    assert app.extensions["releve.contact_log"].health.pending == 1  # the call waits in the spool


def test_the_data_files_are_readable_by_the_service_user_only(example_settings, tmp_path):
    clock = Clock(AT)
    data = tmp_path / "data"
    app = build_app(example_settings, data, clock, TWILIO_AUTH_TOKEN=TOKEN, RELEVE_PUBLIC_URLS=(BASE,))
    Twilio(app).twiml("/twilio/voice", incoming())  # the database, with WAL files
    reading_of(app).refresh(clock.now)  # the calendar cache
    app.extensions["releve.contact_log"]._spool(contacts.as_record(_call("CA9")), _call("CA9"))  # a spool file

    found = {path.relative_to(data).as_posix(): stat.S_IMODE(path.stat().st_mode) for path in [data, *data.rglob("*")]}

    assert {"releve.sqlite3", "releve.sqlite3-wal", "releve.sqlite3-shm", "secret_key", "spool"} <= set(found)
    assert any(name.startswith("calendars/") for name in found)
    loose = {name: oct(mode) for name, mode in found.items()
             if mode & 0o077 or (Path(data / name).is_dir() and mode != 0o700)}
    assert loose == {}


def test_a_calendar_cache_the_disk_refuses_costs_only_that_copy(example_settings, tmp_path, caplog):
    clock = Clock(AT)
    app = build_app(example_settings, tmp_path / "data", clock)
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "calendars").write_text("a file where the cache folder should be: the disk refuses it")
    registry = reading_of(app)

    registry.refresh(clock.now)

    assert [state.practice.id for state in registry.states()] == ["cabinet-dupont", "clinique-plateau"]
    assert not registry.answer("cabinet-dupont", AT).is_open  # every practice's calendars were read
    assert "could not be kept on disk" in caplog.text
    assert list(tmp_path.rglob("*.tmp")) == []


def test_the_web_app_and_the_worker_start_on_a_data_folder_that_refuses_every_write(example_settings, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data folder should be: nothing can be written under it")
    clock = Clock(AT)
    app = build_app(example_settings, blocked / "data", clock, TWILIO_AUTH_TOKEN=TOKEN, RELEVE_PUBLIC_URLS=(BASE,))

    document = Twilio(app).twiml("/twilio/voice", incoming())

    assert document.find("Record") is not None  # nothing known, nothing stored: the caller leaves a voicemail
    worker = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "scheduler", "run", "--for", "2"],
                            cwd=ROOT, env={**os.environ, "RELEVE_DATA_DIR": str(blocked / "data"),
                                           "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert "Traceback" not in worker.stderr
    assert "scheduler stopped" in worker.stdout
