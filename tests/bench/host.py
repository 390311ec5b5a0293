"""A host's machine for the benchmarks: many practices, one configuration file per practice in a
folder (as the README advises hosts with hundreds), their calendars as files or served by a
calendar server on loopback, and the offices covering for them."""
from __future__ import annotations

import email.utils
import os
import subprocess
import sys
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.bench.calendars import practice_calendar

OFFICES = 100
PUBLIC_URL = "https://releve.example.org"


@dataclass(frozen=True)
class Practice:
    id: str
    number: str
    served: bool     # its calendar comes from the calendar server, else from a file


def number_of(index: int) -> str:
    """A distinct, valid number for each practice: Paris for most, Montréal for every fifth."""
    return f"+1514{2_000_000 + index:07d}" if index % 5 == 4 else f"+331{86_000_000 + index:08d}"


def _practice_yaml(practice: Practice, index: int, calendar: str) -> str:
    montreal = index % 5 == 4
    first, second, night = (f"o{(index * 7 + k) % OFFICES:03d}" for k in (0, 1, 2))
    return f"""practices:
  - id: {practice.id}
    name:
      written: Cabinet {index}
      spoken: le cabinet {index}
    numbers: ["{practice.number}"]
    front_desk: ["{'+15145214867' if montreal else '+33145678910'}"]
    email: accueil-{index}@cabinet.example.org
    timezone: {'America/Montreal' if montreal else 'Europe/Paris'}
    language: {'fr-CA' if montreal else 'fr-FR'}
    calendars: ["{calendar}"]
    opening_hours:
      monday: ["08:30-12:30", "14:00-19:00"]
      tuesday: ["08:30-12:30", "14:00-19:00"]
      wednesday: ["08:30-12:30"]
      thursday: ["08:30-12:30", "14:00-19:00"]
      friday: ["08:30-12:30", "14:00-18:00"]
    coverage:
      closures: [{first}, {second}]
      outside_hours: [{night}]
    instructions: Urgences le jour même ; pas d'ordonnance sans examen.
"""


def _offices_yaml() -> str:
    lines = ["service:", f"  public_url: {PUBLIC_URL}", "  refresh_minutes: 15", "  horizon_days: 400", "",
             "offices:"]
    for index in range(OFFICES):
        lines += [f"  - id: o{index:03d}", f"    kind: {'partner' if index % 2 else 'answering_service'}",
                  "    name:", f"      written: Bureau {index}", f"      spoken: le bureau {index}",
                  f'    phone: "+331{42_000_000 + index:08d}"', f"    email: bureau-{index}@relais.example.org", "    language: fr-FR"]
    return "\n".join(lines) + "\n"


class Host:
    """The files of `practices` practices under `folder`; `served` of them (every other one, up to
    that share) read from a calendar server on loopback at `server_url`."""

    def __init__(self, folder: Path, practices: int, events: int, server_url: str, served_share: float = 0.5) -> None:
        self.folder = folder
        self.config = folder / "config"
        self.calendars = folder / "calendars"
        self.config.mkdir(parents=True)
        self.calendars.mkdir(exist_ok=True)
        (self.config / "0-service-and-offices.yaml").write_text(_offices_yaml(), encoding="utf-8")
        served_every = round(1 / served_share) if served_share else 0
        self.practices: list[Practice] = []
        for index in range(practices):
            served = bool(served_every) and index % served_every == 0
            practice = Practice(f"p{index:05d}", number_of(index), served)
            name = f"{practice.id}.ics"
            (self.calendars / name).write_bytes(practice_calendar(index, events))
            location = f"{server_url}/{name}" if served else str(self.calendars / name)
            (self.config / f"{practice.id}.yaml").write_text(_practice_yaml(practice, index, location),
                                                             encoding="utf-8")
            self.practices.append(practice)


class _Calendars(SimpleHTTPRequestHandler):
    """Serves the calendar folder with Last-Modified and an ETag, and answers 304 to a
    conditional GET, as calendar servers do."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        try:
            stat = path.stat()
        except OSError:
            self.send_error(404)
            return None
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        handle = open(path, "rb")  # noqa: SIM115 - SimpleHTTPRequestHandler copies and closes it
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.end_headers()
        return handle

    def log_message(self, *args: object) -> None:
        pass


def serve(folder: str) -> None:
    """`python -m tests.bench.host FOLDER`: serve the folder, and print the port first."""
    os.chdir(folder)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Calendars)
    server.daemon_threads = True
    server.request_queue_size = 128
    print(server.server_address[1], flush=True)
    server.serve_forever()


class CalendarServer:
    """A calendar server on loopback, in its own process (it does not take the reader's time)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([sys.executable, "-m", "tests.bench.host", str(folder)],
                                        cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.process.stdout.readline())}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


if __name__ == "__main__":
    serve(sys.argv[1])
