"""The scheduler process for real: `flask --app app scheduler run` on a short schedule, against a
calendar whose closure starts tomorrow (real time), alone and with a second one started by mistake."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import EXAMPLE_CONFIG, ROOT

PARIS = ZoneInfo("Europe/Paris")
EMPTY = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Releve tests//EN\nEND:VCALENDAR\n"


def config_with_a_closure_tomorrow(tmp_path: Path) -> Path:
    """The example configuration, its practices' calendars replaced by one closure: cabinet-dupont is
    closed for two whole days from tomorrow (in Paris), so its one-day briefing is due now."""
    folder = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, folder)
    for calendar in folder.glob("*.ics"):
        calendar.write_text(EMPTY, encoding="utf-8")
    tomorrow = datetime.now(PARIS).date() + timedelta(days=1)
    (folder / "cabinet-dupont.ics").write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Releve tests//EN\nBEGIN:VEVENT\nUID:tomorrow@releve.test\n"
        "DTSTAMP:20261101T000000Z\nSUMMARY:Formation\n"
        f"DTSTART;VALUE=DATE:{tomorrow:%Y%m%d}\nDTEND;VALUE=DATE:{tomorrow + timedelta(days=2):%Y%m%d}\n"
        "END:VEVENT\nEND:VCALENDAR\n", encoding="utf-8")
    return folder / "releve.yaml"


def start_scheduler(config: Path, data_dir: Path) -> subprocess.Popen[str]:
    environment = {**os.environ, "RELEVE_CONFIG": str(config), "RELEVE_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "scheduler", "run", "--every", "1", "--for", "5"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(*processes: subprocess.Popen[str]) -> list[str]:
    """Wait for the processes to stop on their own; their logs (stderr). None is left running."""
    try:
        outputs = [process.communicate(timeout=30) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "scheduler stopped" in out
        assert "Traceback" not in err and "raised an exception" not in err, err
    return [err for _, err in outputs]


def database(data_dir: Path) -> sqlite3.Connection:
    path = data_dir / "releve.sqlite3"
    assert path.exists(), f"no database in {data_dir}: RELEVE_DATA_DIR was not used"
    return sqlite3.connect(path)


def test_the_scheduler_process_queues_the_one_day_briefings_and_delivers_them_to_the_outbox(tmp_path):
    config, data_dir = config_with_a_closure_tomorrow(tmp_path), tmp_path / "data"

    [log] = finish(start_scheduler(config, data_dir))

    with database(data_dir) as connection:
        told = connection.execute("SELECT office_id, kind, slot, state FROM notices"
                                  " ORDER BY office_id, slot").fetchall()
        sent = connection.execute("SELECT recipient, kind, purpose, state, subject FROM messages"
                                  " ORDER BY recipient").fetchall()
    assert told == [("cabinet-martin", "briefing", "1d", "queued"), ("cabinet-martin", "briefing", "7d", "skipped"),
                    ("permanence-sante", "briefing", "1d", "queued"), ("permanence-sante", "briefing", "7d", "skipped")]
    assert [row[:4] for row in sent] == [("accueil@cabinet-martin.example.fr", "email", "briefing", "outbox"),
                                         ("equipe@permanence-sante.example.fr", "email", "briefing", "outbox")]
    assert all(row[4].startswith("Fiche de liaison\u00a0: vous couvrez le cabinet dentaire Dupont") for row in sent)
    assert "notice: cabinet-dupont: briefing 1d to cabinet-martin for tomorrow@releve.test" in log


def test_two_scheduler_processes_started_together_send_each_notice_and_message_once(tmp_path):
    config, data_dir = config_with_a_closure_tomorrow(tmp_path), tmp_path / "data"

    logs = finish(start_scheduler(config, data_dir), start_scheduler(config, data_dir))

    with database(data_dir) as connection:
        told = connection.execute("SELECT office_id, slot, state, message_id FROM notices WHERE state = 'queued'"
                                  " ORDER BY office_id").fetchall()
        sent = connection.execute("SELECT id, recipient, state FROM messages ORDER BY id").fetchall()
    assert [(office, slot) for office, slot, _, _ in told] == [("cabinet-martin", "1d"), ("permanence-sante", "1d")]
    assert sorted(message_id for *_, message_id in told) == [message_id for message_id, _, _ in sent]
    assert [(recipient, state) for _, recipient, state in sent] == [
        ("accueil@cabinet-martin.example.fr", "outbox"), ("equipe@permanence-sante.example.fr", "outbox")]
    # Each notice was queued by one process and each message handed to the outbox by one process.
    assert sum(log.count("notice: cabinet-dupont: briefing 1d") for log in logs) == 2
    assert sum(log.count("outbox: email to") for log in logs) == 2
