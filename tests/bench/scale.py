"""A host with many practices, measured as it runs: the worker's reads, a web process's start and
memory, and signed incoming-call webhooks under `gunicorn -w 2` against a bare Flask handler."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.bench import load
from tests.bench.host import PUBLIC_URL, Host
from tests.bench.web import (
    BARE_APP,
    ROOT,
    TOKEN,
    children,
    exchange,
    first_answer,
    free_port,
    signed_call,
    start_gunicorn,
    stop,
    wait_idle,
)


@dataclass(frozen=True)
class WorkerRead:
    first_seconds: float
    unchanged_seconds: float
    stored: int
    failed: int
    resident_mib: float


def environment(host: Host, database: str, data: Path) -> dict[str, str]:
    return {"RELEVE_CONFIG": str(host.config), "RELEVE_DATABASE_URL": database, "RELEVE_DATA_DIR": str(data),
            "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_SECRET_KEY": "bench-secret-key-0123456789abcdef"}


def worker_read(host: Host, database: str, data: Path) -> WorkerRead:
    """The worker's first full read (from its start) and a read where nothing changed."""
    done = subprocess.run([sys.executable, "-m", "tests.bench.worker_read"], cwd=ROOT,
                          env={**os.environ, **environment(host, database, data), "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the worker's read failed:\n{done.stderr[-4000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return WorkerRead(found["first_seconds"], found["unchanged_seconds"], found["first"]["written"],
                      found["first"]["failed"], found["resident_mib"])


@dataclass(frozen=True)
class Web:
    first_answer_seconds: float
    peak_mib: tuple[float, ...]          # each gunicorn worker's peak resident memory (VmHWM)
    throughput: load.Throughput
    bare: load.Throughput
    latency: load.Latency
    ladder: tuple[load.Latency, ...]     # lower rates, each for a few seconds: where p99 stays low
    settled_seconds: float = 0.0         # until the web workers had worked out every practice's answer

    @property
    def ratio(self) -> float:
        return self.throughput.per_second / self.bare.per_second


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def web(host: Host, database: str, data: Path, rate: float, seconds: float) -> Web:
    """A web process started on what the worker stored, then loaded."""
    rng = random.Random(9)
    numbers = [p.number for p in host.practices]
    port = free_port()
    first = signed_call(PUBLIC_URL, rng.choice(numbers))
    started = time.perf_counter()
    ours = start_gunicorn(environment(host, database, data), port)
    try:
        first_seconds = first_answer(port, first, started)
        workers = children(ours.pid)
        calls = [signed_call(PUBLIC_URL, rng.choice(numbers)) for _ in range(int(rate * seconds) + 20_000)]
        for raw in calls[:2000]:  # every worker's cache full, and more practices than it holds
            exchange(port, raw)
        # Each worker works out every practice's answer in the background after it starts: the
        # measurements begin once it is done, so that the bare handler does not share the cores.
        settled = wait_idle(workers)
        bare_port = free_port()
        bare = start_gunicorn({}, bare_port, app=BARE_APP)
        try:
            first_answer(bare_port, calls[0], time.perf_counter())
            # Alternated, so that a busy moment of the machine weighs on both alike.
            bare_runs, our_runs = [], []
            for round_ in range(2):
                bare_runs.append(load.throughput(bare_port, calls[2000:4000], seconds / 2))
                our_runs.append(load.throughput(port, calls[4000 + round_ * 8000:12_000 + round_ * 8000],
                                                seconds / 2))
        finally:
            stop(bare)
        latency = load.latency(port, calls[20_000:], rate, seconds)
        ladder, used = [], 20_000 + int(rate * seconds)
        for share in (0.25, 0.5, 0.75):
            calls += [signed_call(PUBLIC_URL, rng.choice(numbers)) for _ in range(int(rate * share * 5))]
            ladder.append(load.latency(port, calls[used:], rate * share, 5))
            used = len(calls)
        peaks = tuple(_peak_mib(pid) for pid in workers)
    finally:
        log = stop(ours)
    if "Traceback" in log:
        print(log[-4000:], file=sys.stderr)
    return Web(first_seconds, peaks, _combined(our_runs), _combined(bare_runs), latency, tuple(ladder), settled)


def _combined(runs: list[load.Throughput]) -> load.Throughput:
    return load.Throughput(sum(r.per_second for r in runs) / len(runs), sum(r.answers for r in runs),
                           sum(r.failures for r in runs), runs[0].tool)
