"""Relève deployed as a host runs it: two web processes (gunicorn), the worker and PostgreSQL, with
the practices' calendars served over HTTP on loopback. A closure edited in its calendar reaches
both web processes within one refresh; each notice goes once; a call during a reload gets the
right practice."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from tests.conftest import EXAMPLE_CONFIG, POSTGRES_URL, ROOT
from tests.mail import free_port

PARIS = ZoneInfo("Europe/Paris")
TOKEN = "deployment-test-token-0123456789"
DUPONT, PLATEAU, NEW = "+33186951234", "+14384012290", "+33186950000"


class Calendars:
    """The practices' calendars, served on loopback like a calendar application publishes them."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                body = owner.files.get(self.path.lstrip("/"), b"")
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"


def closure(summary: str, first_day: int, days: int) -> bytes:
    """A calendar holding one whole-day closure, `first_day` days from today (in Paris)."""
    start = datetime.now(PARIS).date() + timedelta(days=first_day)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Releve tests//EN\r\nBEGIN:VEVENT\r\nUID:closure@test\r\n"
            f"DTSTAMP:20261101T000000Z\r\nSUMMARY:{summary}\r\nDTSTART;VALUE=DATE:{start:%Y%m%d}\r\n"
            f"DTEND;VALUE=DATE:{start + timedelta(days=days):%Y%m%d}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


@pytest.fixture
def database() -> Iterator[str]:
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL server (TEST_POSTGRES_URL); .ci/run starts one")
    name = f"releve_deploy_{secrets.token_hex(4)}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    with server.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    server.dispose()


@pytest.fixture
def host(tmp_path: Path, database: str) -> Iterator[dict[str, object]]:
    calendars = Calendars()
    calendars.files["dupont.ics"] = closure("Formation", 0, 5)  # closed today: calls go to the offices
    calendars.files["plateau.ics"] = closure("Congés", 30, 3)
    folder = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, folder)
    config = folder / "releve.yaml"
    text_ = config.read_text(encoding="utf-8")
    text_ = text_.replace("      - cabinet-dupont.ics                  # congés, pause déjeuner, formations\n"
                          "      - jours-feries-france.ics             # ou l'adresse iCal d'un agenda de jours fériés\n",
                          f"      - {calendars.url('dupont.ics')}\n")
    text_ = text_.replace("      - source: clinique-plateau.ics        # agenda partagé : seules les « Fermeture » comptent\n"
                          "        only:\n          categories: [Fermeture]\n      - jours-feries-quebec.ics\n",
                          f"      - {calendars.url('plateau.ics')}\n")
    config.write_text(text_, encoding="utf-8")
    # As compose.yaml runs it: the migrations applied once, by one command, before the processes
    # start, and none of them migrating on its own.
    environment = {**os.environ, "RELEVE_CONFIG": str(config), "RELEVE_DATABASE_URL": database,
                   "TWILIO_AUTH_TOKEN": TOKEN, "PYTHONPATH": str(ROOT), "RELEVE_BASE_URL": "http://127.0.0.1:5000",
                   "RELEVE_AUTO_MIGRATE": "0", "RELEVE_SECRET_KEY": "deployment-test-secret-key-0123456789"}
    upgraded = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT,
                              env={**environment, "RELEVE_DATA_DIR": str(tmp_path / "migrate")},
                              capture_output=True, text=True, timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr
    processes: list[subprocess.Popen[str]] = []

    def start(arguments: list[str], data: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(arguments, cwd=ROOT, env={**environment, "RELEVE_DATA_DIR": str(tmp_path / data)},
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.append(process)
        return process

    ports = [free_port(), free_port()]
    for index in range(2):  # a worker started twice by mistake sends nothing twice either
        start([sys.executable, "-m", "flask", "--app", "app", "scheduler", "run", "--every", "1",
               "--calendars-every", "2"], f"worker{index}")
    for index, port in enumerate(ports):
        start([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "app:create_app()"],
              f"web{index}")
    for port in ports:  # what compose's health check asks: ready once the worker stored the practices
        eventually(lambda port=port: requests.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200)
    try:
        yield {"ports": ports, "calendars": calendars, "config": config, "database": database,
               "processes": processes}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        calendars.server.shutdown()
        calendars.server.server_close()


def call(port: int, to: str, said: bool = True) -> str:
    """An incoming call signed as Twilio signs it (for the local address the processes serve): what
    the caller hears, or the whole answer."""
    url = "http://127.0.0.1:5000/twilio/voice"
    form = {"CallSid": "CA" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32, "From": "+33698765432", "To": to,
            "CallStatus": "ringing", "Direction": "inbound"}
    answer = requests.post(f"http://127.0.0.1:{port}/twilio/voice", data=form, timeout=10,
                           headers={"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, form),
                                    "Host": "127.0.0.1:5000"})
    assert answer.status_code == 200, answer.text
    if not said:
        return answer.text
    return " ".join(say.text or "" for say in ElementTree.fromstring(answer.content).iter("Say"))


def eventually(check, seconds: float = 40.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except (requests.ConnectionError, AssertionError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError("not within the time allowed")
        time.sleep(0.5)


def test_two_web_processes_a_worker_and_postgresql_serve_calls_notices_and_reloads(host):
    ports = host["ports"]
    eventually(lambda: all("nous sommes en formation" in call(port, DUPONT) for port in ports))

    # The practice edits its calendar: both web processes say so within one refresh (2 s here).
    host["calendars"].files["dupont.ics"] = closure("Congés d'hiver", 0, 5)
    started = time.monotonic()
    eventually(lambda: all("nous sommes en congés" in call(port, DUPONT) for port in ports))
    assert time.monotonic() - started < 20

    # A practice is added by rewriting the configuration (atomically): calls keep reaching the
    # right practice during the reload, and the new one answers once it is taken.
    config: Path = host["config"]
    text_ = config.read_text(encoding="utf-8")
    addition = text_.split("  - id: clinique-plateau", 1)[0].split("  - id: cabinet-dupont", 1)[1]
    addition = ("  - id: cabinet-nouveau" + addition).replace(DUPONT[3:], "1 86 95 00 00").replace(
        "+33 1 86 95 12 34", "+33 1 86 95 00 00").replace("Cabinet dentaire Dupont", "Cabinet Nouveau").replace(
        "le cabinet dentaire Dupont", "le cabinet Nouveau")
    temporary = config.with_suffix(".tmp")
    temporary.write_text(text_.replace("  - id: clinique-plateau", addition + "  - id: clinique-plateau"),
                         encoding="utf-8")
    os.replace(temporary, config)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        for port in ports:
            assert "Le cabinet dentaire Dupont" in call(port, DUPONT)
            plateau = call(port, PLATEAU, said=False)  # open or closed, the clinic's own answer
            assert "Plateau" in plateau or "+15145214867" in plateau, plateau
            assert "Dupont" not in plateau and "Nouveau" not in plateau, plateau
        if all("Le cabinet Nouveau" in call(port, NEW) for port in ports):
            break
        time.sleep(0.3)
    else:
        raise AssertionError("the new practice was not taken")

    # Two workers ran all along: every notice is queued once, and each message sent once.
    engine = create_engine(host["database"])

    def notices() -> list:  # type: ignore[type-arg]
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT practice_id, office_id, period_key, kind, slot, count(*) AS n FROM notices "
                "GROUP BY practice_id, office_id, period_key, kind, slot")).all()

    eventually(lambda: {n.practice_id for n in notices() if n.kind == "briefing"} == {"cabinet-dupont",
                                                                                      "cabinet-nouveau"})
    time.sleep(3)  # a few more runs of both workers
    assert all(n.n == 1 for n in notices()), notices()
    with engine.connect() as connection:
        duplicates = connection.execute(text("SELECT recipient, subject, count(*) AS n FROM messages "
                                             "GROUP BY recipient, subject, body HAVING count(*) > 1")).all()
        sent = connection.execute(text("SELECT count(*) FROM messages")).scalar_one()
    engine.dispose()
    assert sent and duplicates == []
    for process in host["processes"]:
        assert process.poll() is None, process.communicate()[0][-2000:]
