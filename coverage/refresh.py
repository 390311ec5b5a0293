"""Reading every calendar once, for every web process: the worker's calendars job.

`Refresher.refresh(now)`:
1. reads every calendar address side by side (`FETCHERS` threads), politely: with the `ETag` and
   `Last-Modified` of the copy it holds (an unchanged calendar costs its server a 304), and after a
   temporary failure (a 429, a 5xx, the network) not before its backoff (the server's
   `Retry-After`, else 1, 2, 4… minutes with jitter, at most the refresh interval);
2. expands again only what changed (the copy's bytes, the practice's settings, or the window,
   which moves a week at a time), in the expansion pool, with a time and memory budget each;
3. stores, for each practice that changed, one snapshot: its settings, its schedule and its
   calendars' status together (a call never sees settings without their schedule), and the
   directory that web processes watch.
A calendar that cannot be read keeps its last good copy in use (from memory, or the disk cache of
the data folder after a restart); one never read, of a practice the database already has a
schedule for, keeps that schedule. Nothing here needs Flask: the worker and an embedded single
process run it alike.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from calendars import CalendarError, CalendarProblem, CalendarReading, Closure, SourceUnreachable
from calendars.messages import said_to_json
from calendars.pool import ExpansionPool, Job
from calendars.sources import Fetched, check_is_calendar, fetch
from config.errors import Problem
from config.reload import Reloaded, report
from config.settings import CalendarSource, Practice, Settings
from config.snapshot import office_to_json, practice_to_json, service_to_json, settings_of_practice
from coverage.schedule import FORMAT, build_schedule, encode, sliced
from coverage.store import Store, snapshots
from coverage.store.engine import private_folder

logger = logging.getLogger(__name__)

LOOKBACK = timedelta(days=62)   # a vacation under way is known with its title and its start
WINDOW_STEP = timedelta(days=7)
# The coming weeks stored beside the whole schedule (what webhooks read): from the day before the
# window's week to NEAR_WEEKS after it, so any day of that week has at least NEAR_WEEKS - 1 ahead.
NEAR_WEEKS = 7
LAYOUT = 2  # what a snapshot holds (2: with the coming weeks); a change stores every practice again  # the window moves a week at a time: unchanged inputs, nothing expanded
FETCHERS = 16
CHUNK = 200                      # practices built and written at a time (bounds the memory)
_MONDAY = datetime(2024, 1, 1, tzinfo=UTC)


def window_for(now: datetime, horizon: timedelta) -> tuple[datetime, datetime]:
    """The span calendars are read for: from LOOKBACK before `now` to `horizon` after it, with a
    start that moves by whole weeks, so that a week of refreshes reads the same window."""
    steps = (now - LOOKBACK - _MONDAY) // WINDOW_STEP
    start = _MONDAY + steps * WINDOW_STEP
    return start, start + LOOKBACK + horizon + 2 * WINDOW_STEP


def near_span(window: tuple[datetime, datetime]) -> tuple[float, float]:
    """The coming weeks of a window (see NEAR_WEEKS), as timestamps."""
    week = window[0] + LOOKBACK
    return (week - timedelta(days=1)).timestamp(), (week + NEAR_WEEKS * WINDOW_STEP).timestamp()


@dataclass
class _Source:
    """What the worker knows of one calendar location."""

    location: str
    digest: str | None = None          # of the copy in use
    copy_since: datetime | None = None  # when its content last changed
    etag: str | None = None
    last_modified: str | None = None
    error: CalendarError | None = None
    error_since: datetime | None = None
    failures: int = 0
    next_try: float = 0.0


@dataclass(frozen=True)
class Report:
    """What a refresh did."""

    read: int = 0
    unchanged: int = 0
    failed: int = 0
    expanded: int = 0
    written: int = 0
    removed: int = 0
    errors: tuple[str, ...] = field(default=())


class _Bounded(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


class Refresher:
    """The worker's calendars: settings from the reload path in, snapshots in the store out."""

    def __init__(self, store: Store, cache_dir: Path | None = None, pool: ExpansionPool | None = None,
                 fetch_source: Callable[..., Fetched] = fetch, rng: random.Random | None = None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self.pool = pool or ExpansionPool(processes=0)
        self.fetch_source = fetch_source
        self.read: Callable[[str], bytes] | None = None  # tests: bytes for a location, no conditions
        self.settings: Settings | None = None
        self.reloaded: Reloaded | None = None
        self.config_problems: tuple[Problem, ...] = ()
        self.refreshed_at: datetime | None = None
        self.after_refresh: list[Callable[[], None]] = []
        self._rng = rng or random.Random()
        self._sources: dict[str, _Source] = {}
        self._copies: _Bounded = _Bounded(256)      # digest -> bytes (the disk cache holds them all)
        self._readings: _Bounded = _Bounded(512)    # (digest, zone, selection, window) -> reading
        self._lock = threading.Lock()

    # -- settings --------------------------------------------------------------------------------

    def use(self, reloaded: Reloaded) -> None:
        """Take what the reload path gives (its settings, with the last good version of broken parts)."""
        for line in report(reloaded):
            logger.warning("%s", line)
        self.reloaded = reloaded
        self.config_problems = reloaded.problems
        if reloaded.settings is not None:
            self.settings = reloaded.settings

    def use_settings(self, settings: Settings) -> None:
        self.use(Reloaded(settings))

    # -- the job ---------------------------------------------------------------------------------

    def refresh(self, now: datetime) -> Report:
        """Read every calendar, and store what changed."""
        with self._lock:
            report_ = self._refresh(now)
        for callback in self.after_refresh:
            callback()
        return report_

    def _refresh(self, now: datetime) -> Report:
        settings = self.settings
        if settings is None:
            return Report()
        window = window_for(now, settings.service.horizon)
        practices = list(settings.practices)
        counts = self._read_all({source.location for p in practices for source in p.calendars}, now)
        with self.store.begin() as connection:
            stored = snapshots.versions(connection)
        expanded = written = 0
        for first in range(0, len(practices), CHUNK):
            chunk = practices[first:first + CHUNK]
            e, w = self._build(settings, chunk, window, stored, now)
            expanded, written = expanded + e, written + w
        gone = sorted(set(stored) - {p.id for p in practices})
        with self.store.begin() as connection:
            snapshots.remove(connection, gone)
            snapshots.write_directory(connection, self._directory(settings, stored, now), now)
            snapshots.set_state(connection, "calendars_read_at", now.isoformat(), now)
        self.refreshed_at = now
        result = Report(counts[0], counts[1], counts[2], expanded, written, len(gone))
        logger.info("calendars: %d read, %d unchanged, %d failed; %d expanded; %d practice(s) stored, %d removed",
                    result.read, result.unchanged, result.failed, result.expanded, result.written, result.removed)
        return result

    # -- reading ---------------------------------------------------------------------------------

    def _read_all(self, locations: Iterable[str], now: datetime) -> tuple[int, int, int]:
        due = []
        for location in sorted(locations):
            state = self._sources.setdefault(location, _Source(location))
            if state.digest is None:
                self._from_disk(state)
            if state.next_try <= now.timestamp():
                due.append(state)
        with ThreadPoolExecutor(max_workers=FETCHERS, thread_name_prefix="releve-calendar") as threads:
            outcomes = list(threads.map(lambda state: self._read_one(state, now), due))
        return outcomes.count("read"), outcomes.count("unchanged"), outcomes.count("failed")

    def _read_one(self, state: _Source, now: datetime) -> str:
        try:
            if self.read is not None:
                fetched = Fetched(self.read(state.location))
            else:
                fetched = self.fetch_source(state.location, etag=state.etag if state.digest else None,
                                            last_modified=state.last_modified if state.digest else None)
            if fetched.data is not None:
                # A login page is never taken for the calendar: its last good copy stays.
                check_is_calendar(CalendarSource(state.location).label, fetched.data)
        except CalendarError as exc:
            if state.error is None or state.error.message != exc.message:
                state.error_since = now
            state.error, state.failures = exc, state.failures + 1
            if isinstance(exc, SourceUnreachable) and exc.is_temporary:
                state.next_try = now.timestamp() + self._backoff(state, exc.retry_after)
            kept = f"; the copy of {state.copy_since:%Y-%m-%d %H:%M} UTC stays in use" if state.copy_since \
                else "; no earlier copy to use"
            logger.error("calendar %s: %s%s", exc.source if "://" not in exc.source else _short(exc.source),
                         exc.message, kept)
            return "failed"
        state.error = state.error_since = None
        state.failures, state.next_try = 0, 0.0
        if fetched.data is None:  # 304: the copy held is the calendar
            return "unchanged"
        state.etag, state.last_modified = fetched.etag, fetched.last_modified
        digest = hashlib.sha256(fetched.data).hexdigest()
        if digest == state.digest:
            return "unchanged"
        state.digest, state.copy_since = digest, now
        self._copies.put(digest, fetched.data)
        self._to_disk(state.location, fetched.data)
        return "read"

    def _backoff(self, state: _Source, retry_after: float | None) -> float:
        """Seconds before the next try: what the server asked, else doubling from a minute, with
        jitter so that many failing calendars do not come back together; at most the refresh."""
        ceiling = self.settings.service.refresh.total_seconds() if self.settings else 900.0
        if retry_after is not None:
            return min(max(retry_after, 1.0), 24 * 3600.0)
        wait: float = min(60.0 * 2 ** (state.failures - 1), ceiling) * self._rng.uniform(0.8, 1.2)
        return wait

    # -- building --------------------------------------------------------------------------------

    def _build(self, settings: Settings, practices: list[Practice], window: tuple[datetime, datetime],
               stored: dict[str, tuple[str, str]], now: datetime) -> tuple[int, int]:
        """Expand what this chunk of practices needs, build their schedules, store what changed."""
        plans = []
        jobs: dict[tuple[Any, ...], Job] = {}
        offices = _offices_digest(settings)
        for practice in practices:
            sources = [(source, self._sources[source.location]) for source in practice.calendars]
            inputs = self._inputs(settings, practice, sources, window, offices)
            status = self._status(sources)
            version = hashlib.sha256((inputs + json.dumps(status, sort_keys=True)).encode()).hexdigest()
            before = stored.get(practice.id)
            if before is not None and before[0] == version:
                continue
            plans.append((practice, sources, inputs, status, version, before))
            if before is not None and before[1] == inputs:
                continue  # only the status changed: the stored schedule stands
            for source, state in sources:
                key = self._reading_key(practice, source, state, window)
                if key is not None and key not in self._readings and key not in jobs:
                    data = self._copy(state)
                    if data is not None:
                        jobs[key] = Job(data, practice.timezone.key, window[0], window[1], source.label,
                                        source.selection)
        if jobs:
            keys = list(jobs)
            for key, result in zip(keys, self.pool.read([jobs[k] for k in keys]), strict=True):
                self._readings.put(key, result)
        written = 0
        for practice, sources, inputs, status, version, before in plans:
            written += self._store(settings, practice, sources, inputs, status, version, before, window, now)
        return len(jobs), written

    def _store(self, settings: Settings, practice: Practice, sources: list[tuple[CalendarSource, _Source]],
               inputs: str, status: dict[str, Any], version: str, before: tuple[str, str] | None,
               window: tuple[datetime, datetime], now: datetime) -> int:
        if before is not None and before[1] == inputs:
            with self.store.begin() as connection:
                old = snapshots.load(connection, practice.id)
                if old is not None:
                    snapshots.save(connection, snapshots.Snapshot(
                        practice.id, version, inputs, old.settings, old.schedule, json.dumps(status), now, old.near))
                    return 1
        closures: list[Closure] = []
        problems: list[CalendarProblem] = []
        missing = False
        failed = False
        for index, (source, state) in enumerate(sources):
            reading = self._readings.get(self._reading_key(practice, source, state, window) or ("none",))
            if isinstance(reading, CalendarReading):
                closures.extend(reading.closures)
                problems.extend(reading.problems)
                status["sources"][index]["closures"] = len(reading.closures)
            else:
                if isinstance(reading, CalendarError):
                    status["sources"][index].update(in_use=False, error=_error(reading))
                    failed = True
                missing = True
        if failed:
            # An expansion over its budget may pass another time (a busy machine): a version that
            # the next refresh will not find makes it try again then.
            version = hashlib.sha256((version + ":retry").encode()).hexdigest()
        if missing and before is not None:
            # A calendar without any copy to use: the schedule the database has was built with it;
            # it stands (the status says what is wrong) rather than one built without it.
            with self.store.begin() as connection:
                old = snapshots.load(connection, practice.id)
                if old is not None:
                    snapshots.save(connection, snapshots.Snapshot(
                        practice.id, version, before[1], old.settings, old.schedule, json.dumps(status), now,
                        old.near))
                    return 1
        schedule, office_problems = build_schedule(practice, closures, settings.offices, window)
        problems.extend(office_problems)
        status["problems"] = [problem.to_json() for problem in problems]
        used = {office_id for chain in schedule.chains for office_id in chain}
        snapshot = snapshots.Snapshot(practice.id, version, inputs,
                                      json.dumps(settings_of_practice(settings, practice, used), ensure_ascii=False),
                                      encode(schedule), json.dumps(status, ensure_ascii=False), now,
                                      encode(sliced(schedule, *near_span(window))))
        with self.store.begin() as connection:
            snapshots.save(connection, snapshot)
        for problem in problems:
            logger.warning("practice %s: %s", practice.id, problem)
        return 1

    @staticmethod
    def _inputs(settings: Settings, practice: Practice, sources: list[tuple[CalendarSource, _Source]],
                window: tuple[datetime, datetime], offices: str) -> str:
        """What a schedule is built from: if none of it changed, neither did the schedule. Every
        office counts (an event may name any of them), through one digest of them all."""
        text = json.dumps([FORMAT, LAYOUT, practice_to_json(practice), offices, service_to_json(settings.service),
                           window[0].isoformat(), window[1].isoformat(), [state.digest for _, state in sources]],
                          sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def _status(self, sources: list[tuple[CalendarSource, _Source]]) -> dict[str, Any]:
        """The calendars' state as the pages show it; it holds no time that changes at every refresh."""
        return {"sources": [{"label": source.label, "line": source.line, "in_use": state.digest is not None,
                             "copy_since": state.copy_since.isoformat() if state.copy_since else None,
                             "error": _error(state.error) if state.error else None,
                             "error_since": state.error_since.isoformat() if state.error_since else None,
                             "closures": 0}
                            for source, state in sources], "problems": []}

    @staticmethod
    def _reading_key(practice: Practice, source: CalendarSource, state: _Source,
                     window: tuple[datetime, datetime]) -> tuple[Any, ...] | None:
        if state.digest is None:
            return None
        return (state.digest, practice.timezone.key, source.selection, source.label, window)

    def _directory(self, settings: Settings, stored: dict[str, tuple[str, str]], now: datetime) -> dict[str, Any]:
        """Every practice's numbers and version, the numbers of offices and of Relève itself, the
        service settings and what the last reload said: what web processes load first."""
        with self.store.begin() as connection:
            current = snapshots.versions(connection)
        reloaded = self.reloaded
        return {
            "practices": {p.id: {"numbers": list(p.numbers), "version": current.get(p.id, ("", ""))[0],
                                 "name": p.name.written, "language": p.language,
                                 "fallback": [*p.front_desk, *(settings.offices[o].phone for o in p.closure_chain[:1]
                                                               if o in settings.offices)]}
                          for p in settings.practices},
            "office_numbers": sorted({n for o in settings.offices.values() for n in (o.phone, o.sms) if n}),
            "service": service_to_json(settings.service),
            "problems": [problem.to_json() for problem in self.config_problems],
            "reload": {"kept": list(reloaded.kept), "removed_practices": list(reloaded.removed_practices),
                       "removed_offices": list(reloaded.removed_offices), "refused": reloaded.is_refused}
            if reloaded else {},
        }

    # -- the copies on disk ----------------------------------------------------------------------

    def _copy(self, state: _Source) -> bytes | None:
        if state.digest is None:
            return None
        data = self._copies.get(state.digest)
        if data is None:
            data = self._disk_bytes(state.location)
            if data is not None and hashlib.sha256(data).hexdigest() == state.digest:
                self._copies.put(state.digest, data)
        return data

    def _cache_path(self, location: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{hashlib.sha256(location.encode()).hexdigest()[:32]}.ics"

    def _from_disk(self, state: _Source) -> None:
        """After a restart, the last good copy is the one the disk cache kept."""
        data = self._disk_bytes(state.location)
        path = self._cache_path(state.location)
        if data is None or path is None:
            return
        state.digest = hashlib.sha256(data).hexdigest()
        state.copy_since = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        self._copies.put(state.digest, data)

    def _disk_bytes(self, location: str) -> bytes | None:
        path = self._cache_path(location)
        try:
            return path.read_bytes() if path is not None else None
        except OSError:
            return None

    def _to_disk(self, location: str, data: bytes) -> None:
        """Keep the copy on disk. A disk that refuses it (full, read-only) costs only the disk copy:
        the refresh goes on, and the problem is reported."""
        path = self._cache_path(location)
        if path is None:
            return
        temporary: Path | None = None
        try:
            private_folder(path.parent)
            descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")  # 0600
            temporary = Path(name)
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            os.replace(temporary, path)  # atomic: a reader never sees half a file
        except OSError as exc:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            logger.error("the last good copy of a calendar could not be kept on disk in %s (%s): it is kept in "
                         "memory only until the disk takes it", path.parent, exc.strerror or exc)


def _offices_digest(settings: Settings) -> str:
    text = json.dumps([office_to_json(o) for o in settings.offices.values()], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _error(error: CalendarError) -> dict[str, Any]:
    return {"kind": type(error).__name__, "message": said_to_json(error.message), "fix": said_to_json(error.fix),
            "temporary": bool(getattr(error, "is_temporary", False))}


def _short(location: str) -> str:
    """An address in a log line, without its secret part."""
    return CalendarSource(location).label
