"""Expanding calendars in processes of their own, each with a time and a memory budget.

A hostile or broken calendar (a rule that expands forever, a file built to exhaust memory) must
not stall the worker or sink it: each expansion runs in a pool process (`python -m calendars.pool`)
whose address space is capped, and one that runs past its time budget is killed and replaced.
Calendars are expanded side by side, so one slow calendar never holds up the others. Over its
budget, a calendar is reported (`OverLimits`) and its last good copy stays in use.
"""
from __future__ import annotations

import logging
import pickle
import select
import struct
import subprocess
import sys
import time
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from calendars.errors import CalendarError, OverLimits
from calendars.messages import Said
from calendars.model import CalendarReading, ClosureFilter
from calendars.parse import Limits, read_calendar

logger = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parent.parent
_LENGTH = struct.Struct("!Q")
_memory_mb = 0  # the budget of this process, when it is one of the pool's


@dataclass(frozen=True)
class Job:
    """One calendar to expand: its bytes, the practice's zone, the window."""

    data: bytes
    zone: str
    start: datetime
    end: datetime
    source: str
    selection: ClosureFilter = field(default_factory=ClosureFilter)
    limits: Limits = field(default_factory=Limits)


def expand(job: Job) -> CalendarReading | CalendarError:
    """Read one calendar here, in this process (the pool's processes call this)."""
    try:
        return read_calendar(job.data, tz=ZoneInfo(job.zone), start=job.start, end=job.end, source=job.source,
                             selection=job.selection, limits=job.limits)
    except CalendarError as exc:
        return exc
    except MemoryError:
        budget = f" ({_memory_mb} MiB)" if _memory_mb else ""
        return OverLimits(job.source, Said("memory", budget=budget), Said("memory.fix"))


def _write(stream: IO[bytes], value: Any) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(payload)) + payload)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    (size,) = _LENGTH.unpack(head)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError
    return pickle.loads(payload)  # noqa: S301 - from the pool process this module started, no one else


@dataclass
class _Process:
    popen: subprocess.Popen[bytes]
    index: int | None = None
    deadline: float = 0.0


class ExpansionPool:
    """`processes` processes, each job with `seconds` and `memory_mb`; 0 processes reads in the
    calling process (tests), with the same limits on events and occurrences but no time budget."""

    def __init__(self, processes: int = 2, seconds: float = 30.0, memory_mb: int = 1024) -> None:
        self.processes, self.seconds, self.memory_mb = processes, seconds, memory_mb
        self._idle: list[_Process] = []
        # Its processes end with it (and at exit), whoever forgets to close it.
        weakref.finalize(self, _close_all, self._idle)

    def read(self, jobs: Sequence[Job]) -> list[CalendarReading | CalendarError]:
        """Each job's reading (or its error), in the order of `jobs`."""
        if self.processes <= 0:
            return [expand(job) for job in jobs]
        results: list[CalendarReading | CalendarError | None] = [None] * len(jobs)
        waiting = deque(range(len(jobs)))
        busy: list[_Process] = []
        while waiting or busy:
            while waiting and len(busy) < self.processes:
                worker = self._idle.pop() if self._idle else self._start()
                worker.index = waiting.popleft()
                worker.deadline = time.monotonic() + self.seconds
                try:
                    assert worker.popen.stdin is not None
                    _write(worker.popen.stdin, jobs[worker.index])
                except OSError:
                    results[worker.index] = self._lost(jobs[worker.index], worker, Said("process_stopped"))
                    continue
                busy.append(worker)
            timeout = max(min(w.deadline for w in busy) - time.monotonic(), 0.0) if busy else 0.0
            streams = {w.popen.stdout: w for w in busy}
            ready, _, _ = select.select(list(streams), [], [], timeout)
            for worker in list(busy):
                assert worker.index is not None
                job = jobs[worker.index]
                if worker.popen.stdout in ready:
                    busy.remove(worker)
                    try:
                        assert worker.popen.stdout is not None
                        result = results[worker.index] = _read(worker.popen.stdout)
                    except (EOFError, OSError, pickle.UnpicklingError):
                        results[worker.index] = self._lost(job, worker, Said("out_of_memory", limit=self.memory_mb))
                        continue
                    if isinstance(result, OverLimits) and "memory" in result.message:
                        self._lost(job, worker, result.message)  # not trusted with the next calendar
                        continue
                    worker.index = None
                    self._idle.append(worker)
                elif time.monotonic() >= worker.deadline:
                    busy.remove(worker)
                    results[worker.index] = self._lost(job, worker, Said("too_long", seconds=f"{self.seconds:g}"))
        return [r if r is not None else OverLimits("?", Said("not_read")) for r in results]

    def _start(self) -> _Process:
        # `-m` from the project's folder: the child imports this package, whatever its environment.
        popen = subprocess.Popen([sys.executable, "-m", "calendars.pool", str(self.memory_mb)], cwd=_ROOT,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        return _Process(popen)

    def _lost(self, job: Job, worker: _Process, why: str) -> OverLimits:
        """A process over its budget: stopped; another takes its place at the next job."""
        logger.error("calendar %s: %s; its last good copy stays in use", job.source, why)
        worker.popen.kill()
        worker.popen.wait(timeout=5)
        for stream in (worker.popen.stdin, worker.popen.stdout):
            if stream is not None:
                stream.close()
        return OverLimits(job.source, why, Said("process_budget.fix"))

    def close(self) -> None:
        _close_all(self._idle)


def _close_all(processes: list[_Process]) -> None:
    """End each idle process: its input closed, it finishes; one that does not is killed."""
    while processes:
        worker = processes.pop()
        for stream in (worker.popen.stdin, worker.popen.stdout):
            if stream is not None:
                stream.close()
        try:
            worker.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            worker.popen.kill()
            worker.popen.wait()


def _serve(memory_mb: int) -> None:  # pragma: no cover - runs in the pool's processes
    """Read jobs from stdin and answer each on stdout, within `memory_mb` of address space."""
    import resource

    global _memory_mb
    _memory_mb = memory_mb
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed by a library may corrupt the answers
    while True:
        try:
            job = _read(stdin)
        except EOFError:
            return
        _write(stdout, expand(job))


if __name__ == "__main__":  # pragma: no cover
    _serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
