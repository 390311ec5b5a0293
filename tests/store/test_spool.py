"""The spool: what the database cannot take is kept on disk and replayed, in order, once."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from coverage.store import Store, contacts
from coverage.store.spool import ContactLog
from coverage.store.tables import call_legs, calls, texts
from tests.conftest import ROOT

AT = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process holds the database's write lock (a long batch job, a backup tool)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _log(tmp_path: Path) -> ContactLog:
    store = Store(f"sqlite:///{tmp_path / 'releve.sqlite3'}", busy_timeout=0.2)
    with store.begin():
        pass  # the file and its schema exist
    return ContactLog(store, tmp_path / "spool")


def _a_call(sid: str, at: datetime = AT) -> list[contacts.Event]:
    """What the webhooks write for a call that went to an office's voicemail-less chain and a message."""
    return [contacts.CallStart(sid, "cabinet-dupont", "+33698765432", "+33186951234", at, False, "Congés",
                               ("cabinet-martin",)),
            contacts.LegEnd(sid, 0, "cabinet-martin", "+33142001122", "no-answer", "CAleg" + sid, None,
                            at + timedelta(seconds=20)),
            contacts.Voicemail(sid, "cabinet-dupont", "+33698765432", "+33186951234",
                               f"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE{sid}", f"RE{sid}", 31,
                               at + timedelta(seconds=60)),
            contacts.CallStatus(sid, "cabinet-dupont", "+33698765432", "+33186951234", "completed", 95,
                                at + timedelta(seconds=95))]


def test_events_the_locked_database_refused_are_replayed_in_order_once_it_answers(tmp_path):
    log = _log(tmp_path)
    with locked(tmp_path / "releve.sqlite3"):
        results = [log.write(event) for event in _a_call("1")]
        results.append(log.write(contacts.TextIn("SM1", "cabinet-dupont", "+33698765432", "+33186951234",
                                                 "J'ai mal", (), AT)))
        assert results == [None] * 5  # every one spooled, the webhook answered at once
        assert log.replay() == 0 and log.health.pending == 5  # still locked: kept, tried later

    assert log.replay() == 5
    assert log.replay() == 0 and log.health.pending == 0
    with log.store.begin() as connection:
        call = connection.execute(select(calls)).one()
        assert (call.outcome, call.recording_seconds, call.status, call.duration_seconds) == ("voicemail", 31,
                                                                                              "completed", 95)
        assert connection.execute(select(call_legs.c.status)).scalars().all() == ["no-answer"]
        assert connection.execute(select(texts.c.body)).scalars().all() == ["J'ai mal"]
    assert [p.stat().st_size for p in (tmp_path / "spool").glob("*.jsonl")] == [0]  # emptied


def test_while_a_spool_waits_new_events_queue_behind_it_so_the_order_is_kept(tmp_path):
    log = _log(tmp_path)
    first, *rest = _a_call("2")
    with locked(tmp_path / "releve.sqlite3"):
        assert log.write(first) is None
    # The database answers again, but the spool has not been replayed yet: the rest waits behind.
    assert [log.write(event) for event in rest] == [None, None, None]

    assert log.replay() == 4
    with log.store.begin() as connection:
        assert connection.execute(select(calls.c.outcome)).scalar_one() == "voicemail"


def test_events_replayed_out_of_order_from_two_spools_give_the_same_log(tmp_path):
    log = _log(tmp_path)
    events = _a_call("3")
    with log.store.begin() as connection:
        for event in reversed(events):  # the status first, from another process's spool
            contacts.apply(connection, event)
        for event in events:  # and all of it once more: a spool replayed twice after a crash
            contacts.apply(connection, event)
        call = connection.execute(select(calls)).one()
        legs = connection.execute(select(call_legs)).all()

    assert (call.started_at, call.was_open, call.reason, call.chain) == (AT, False, "Congés", "cabinet-martin")
    assert (call.outcome, call.recording_seconds, call.status) == ("voicemail", 31, "completed")
    assert len(legs) == 1


def test_a_spool_left_by_a_process_that_died_is_replayed_by_the_next_one(tmp_path):
    _log(tmp_path)
    (tmp_path / "blocked").write_text("a file where the dying process's database folder should be")
    script = textwrap.dedent("""
        import os, sys
        from datetime import datetime, UTC
        from pathlib import Path
        from coverage.store import Store, contacts
        from coverage.store.spool import ContactLog
        database, spool = sys.argv[1], Path(sys.argv[2])
        log = ContactLog(Store(database), spool)
        for sid in ("A", "B"):
            event = contacts.CallStart("CA" + sid, "cabinet-dupont", "+33698765432", "+33186951234",
                                       datetime.now(UTC), True, None, ())
            assert log.write(event) is None
        os._exit(0)  # dies without a word, its spool on disk
    """)
    died = subprocess.run([sys.executable, "-c", script, f"sqlite:///{tmp_path / 'blocked' / 'x.sqlite3'}",
                           str(tmp_path / "spool")], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True)
    assert died.returncode == 0, died.stderr

    survivor = _log(tmp_path)
    assert survivor.replay() == 2

    with survivor.store.begin() as connection:
        assert sorted(connection.execute(select(calls.c.call_sid)).scalars()) == ["CAA", "CAB"]
    assert list((tmp_path / "spool").glob("*.jsonl")) == []


def test_when_the_disk_refuses_the_spool_too_events_are_kept_in_memory(tmp_path):
    (tmp_path / "not-a-folder").write_text("the spool's folder cannot be made here")
    store = Store(f"sqlite:///{tmp_path / 'releve.sqlite3'}", busy_timeout=0.2)
    with store.begin():
        pass
    log = ContactLog(store, tmp_path / "not-a-folder" / "spool")
    with locked(tmp_path / "releve.sqlite3"):
        assert log.write(_a_call("4")[0]) is None
        assert log.health.disk_error and log.health.pending == 1

    assert log.replay() == 1
    with store.begin() as connection:
        assert connection.execute(select(calls.c.call_sid)).scalars().all() == ["4"]


def _eventually(check, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.01)


def _logged_calls(log: ContactLog) -> list[str]:
    with log.store.begin() as connection:
        return list(connection.execute(select(calls.c.call_sid).order_by(calls.c.call_sid)).scalars())


def test_events_written_behind_reach_the_database_without_anyone_replaying_them(tmp_path):
    log = _log(tmp_path)
    log.start()
    for index in range(200):
        for event in _a_call(f"{index:03d}"):
            log.record(event)

    _eventually(lambda: len(_logged_calls(log)) == 200)
    with log.store.begin() as connection:
        assert set(connection.execute(select(calls.c.outcome)).scalars()) == {"voicemail"}
    assert log.health.pending == 0 and log.health.since is None  # nothing for the pages to warn about


def test_events_written_behind_while_the_database_is_locked_wait_and_then_arrive_once(tmp_path):
    log = _log(tmp_path)
    log.start()
    with locked(tmp_path / "releve.sqlite3"):
        for event in _a_call("1"):
            log.record(event)  # returns at once: the caller's webhook does not wait for the lock
        _eventually(lambda: log.health.since is not None)  # the replay was refused: the pages say so
        assert log.health.pending == 4
        # A direct write (a text) keeps its turn behind what the database refused.
        assert log.write(contacts.TextIn("SM1", "cabinet-dupont", "+33698765432", "+33186951234", "Allô", (),
                                         AT)) is None

    _eventually(lambda: log.health.pending == 0, seconds=15)
    assert _logged_calls(log) == ["1"]
    with log.store.begin() as connection:
        assert connection.execute(select(texts.c.body)).scalars().all() == ["Allô"]


def test_a_direct_write_does_not_wait_behind_events_written_behind(tmp_path):
    # The office's answer at the whisper is read back by the next webhook: it is in the database
    # when write() returns, whatever waits to be written behind.
    log = _log(tmp_path)
    log.start()
    log.record(_a_call("7")[0])
    answered = contacts.LegAnswer("7", 0, "cabinet-martin", "+33142001122", True, AT + timedelta(seconds=10))

    assert log.write(answered) is True
    with log.store.begin() as connection:
        assert contacts.leg(connection, "7", 0).accepted_at is not None
    assert log.flush() and _logged_calls(log) == ["7"]


def test_a_spooled_event_the_database_refuses_is_set_aside_and_the_others_go_in(tmp_path):
    log = _log(tmp_path)
    first, second = _a_call("8")[0], _a_call("9")[0]
    broken = replace(_a_call("bad")[0], practice_id=None)  # NOT NULL: refused
    for event in (first, broken, second):
        log._spool(contacts.as_record(event), event)

    assert log.replay() == 3 and log.health.pending == 0
    assert _logged_calls(log) == ["8", "9"]
    [kept] = (tmp_path / "spool" / "rejected" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert '"call_sid": "bad"' in kept


def test_a_batch_of_call_starts_replayed_at_once_gives_each_call_its_row_and_the_earliest_start(tmp_path,
                                                                                               database_url):
    store = Store(database_url or f"sqlite:///{tmp_path / 'releve.sqlite3'}")
    log = ContactLog(store, tmp_path / "spool")
    later = AT + timedelta(seconds=95)
    with store.begin() as connection:  # another process's spool made call 5's row from its end first
        contacts.apply(connection, _a_call("05")[-1])
    for index in range(40):
        log._spool(contacts.as_record(_a_call(f"{index:02d}")[0]), _a_call(f"{index:02d}")[0])
    log._spool(contacts.as_record(_a_call("05")[0]), _a_call("05")[0])  # and Twilio retried the webhook of call 5

    assert log.replay() == 41
    with store.begin() as connection:
        rows = connection.execute(select(calls.c.call_sid, calls.c.started_at, calls.c.reason, calls.c.status)
                                  .order_by(calls.c.call_sid)).all()
    store.dispose()
    assert [r.call_sid for r in rows] == [f"{i:02d}" for i in range(40)]
    five = rows[5]
    assert (five.started_at, five.reason, five.status) == (AT, "Congés", "completed") and five.started_at < later


def test_more_events_waiting_than_the_process_holds_are_read_back_from_the_file_and_all_land(tmp_path,
                                                                                            monkeypatch):
    monkeypatch.setattr("coverage.store.spool.MIRROR_LIMIT", 5)
    log = _log(tmp_path)
    with locked(tmp_path / "releve.sqlite3"):  # events wait in the spool
        for index in range(12):
            log.write(_a_call(f"{index:02d}")[0])
        assert log.health.pending == 12

    assert log.replay() == 12
    assert _logged_calls(log) == [f"{index:02d}" for index in range(12)]
    with locked(tmp_path / "releve.sqlite3"):  # the file is empty again: events are held as objects once more
        log.write(_a_call("12")[0])
    assert log.replay() == 1 and _logged_calls(log)[-1] == "12"
