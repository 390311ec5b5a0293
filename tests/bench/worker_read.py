"""The worker's calendar reads, timed in a process of their own (`python -m tests.bench.worker_read`),
with the environment a host gives the worker (RELEVE_CONFIG, RELEVE_DATABASE_URL,
RELEVE_DATA_DIR): the first full read from the start of the process, then a read where nothing
changed. Prints one line of JSON."""
from __future__ import annotations

import json
import time

STARTED = time.perf_counter()


def _resident_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    from app import create_app
    from coverage.flask import make_refresher
    from routing.worker import refresh_calendars

    app = create_app()
    with app.app_context():
        make_refresher(app, processes=2)  # as `scheduler run` does
    first = refresh_calendars(app)
    first_seconds = time.perf_counter() - STARTED
    started = time.perf_counter()
    unchanged = refresh_calendars(app)
    unchanged_seconds = time.perf_counter() - started
    assert first is not None and unchanged is not None, "a read failed: see the log above"
    print(json.dumps({"first_seconds": first_seconds, "unchanged_seconds": unchanged_seconds,
                      "first": first.__dict__, "unchanged": unchanged.__dict__, "resident_mib": _resident_mib()}))


if __name__ == "__main__":
    main()
