"""The live state of every practice: its calendars as last read, and its schedule.

A calendar that cannot be read keeps its last good copy in use (from memory, or from the disk
cache after a restart), and the error stays visible until a read succeeds. A configuration
reload that fails keeps the last good configuration. Readers get an immutable snapshot; a
refresh builds a new one and swaps it in, so a webhook never sees half a reload.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from calendars import CalendarError, CalendarProblem, Closure, read_calendar, read_source
from config import ConfigError, Practice, Problem, Settings, load_settings
from config.settings import CalendarSource
from coverage.schedule import Answer, Schedule, build_schedule, resolve_coverage
from coverage.store.engine import private_folder

logger = logging.getLogger(__name__)

# Closures that started this long before "now" are still read, so that a vacation under way
# is known with its title and start.
LOOKBACK = timedelta(days=62)
# Calendars are expanded this far past the horizon, so that refreshes within a week of each
# other reuse the expansion when the calendar has not changed.
REEXPAND_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class SourceStatus:
    """How one calendar source stands: when the copy in use was read, and the last error."""

    source: CalendarSource
    read_at: datetime | None = None
    error: CalendarError | None = None
    closures: int = 0

    @property
    def is_in_use(self) -> bool:
        return self.read_at is not None


@dataclass(frozen=True)
class PracticeState:
    """A practice with its schedule and everything worth telling about its calendars."""

    practice: Practice
    schedule: Schedule
    sources: tuple[SourceStatus, ...]
    problems: tuple[CalendarProblem, ...]
    window_start: datetime
    window_end: datetime


@dataclass(frozen=True)
class _Copy:
    data: bytes
    read_at: datetime
    digest: str


@dataclass(frozen=True)
class _Reading:
    digest: str
    window: tuple[datetime, datetime]
    closures: tuple[Closure, ...]
    problems: tuple[CalendarProblem, ...]


@dataclass
class Registry:
    """Holds the settings and every practice's state; refreshed by a timer or a CLI command."""

    settings: Settings | None
    cache_dir: Path | None = None
    read: Callable[[str], bytes] = read_source
    config_problems: tuple[Problem, ...] = ()
    loaded_at: datetime | None = None
    _states: dict[str, PracticeState] = field(default_factory=dict)
    _copies: dict[str, _Copy] = field(default_factory=dict)
    _readings: dict[tuple[CalendarSource, str], _Reading] = field(default_factory=dict)
    _schedules: dict[str, tuple[tuple[object, ...], Schedule, tuple[CalendarProblem, ...]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, now: datetime) -> None:
        """Read every calendar again and rebuild every schedule around `now`."""
        settings = self.settings
        if settings is None:
            return
        with self._lock:
            states = {p.id: self._load_practice(settings, p, now) for p in settings.practices}
            self._states = states
            self.loaded_at = now

    def reload_config(self, path: Path, now: datetime) -> bool:
        """Load the configuration again; on any error keep the last good one. True if it changed."""
        try:
            settings = load_settings(path)
        except ConfigError as exc:
            self.config_problems = exc.problems
            logger.error("configuration %s not reloaded, the last good one stays in use:\n%s", path, exc)
            return False
        self.config_problems = ()
        self.settings = settings
        self.refresh(now)
        return True

    @property
    def is_loaded(self) -> bool:
        return self.loaded_at is not None or self.settings is None

    def state(self, practice_id: str) -> PracticeState:
        return self._states[practice_id]

    def states(self) -> list[PracticeState]:
        states = self._states
        return [states[p.id] for p in self.settings.practices if p.id in states] if self.settings else []

    def answer(self, practice_id: str, at: datetime) -> Answer:
        """Who covers `practice_id` at `at`."""
        return resolve_coverage(self._states[practice_id].schedule, at)

    def _load_practice(self, settings: Settings, practice: Practice, now: datetime) -> PracticeState:
        start = (now - LOOKBACK).astimezone(practice.timezone)
        end = (now + settings.service.horizon).astimezone(practice.timezone)
        closures: list[Closure] = []
        problems: list[CalendarProblem] = []
        statuses = []
        known_until = end + REEXPAND_AFTER
        readings: list[_Reading | None] = []
        for source in practice.calendars:
            copy, reading, error = self._read(source, practice, start, end, now)
            if error is not None:
                kept = f"; the copy read {copy.read_at:%Y-%m-%d %H:%M} UTC stays in use" if copy else "; no earlier copy to use"
                logger.error("practice %s: calendar %s: %s%s", practice.id, source.label, error.message, kept)
            readings.append(reading)
            if reading is not None:
                closures.extend(reading.closures)
                problems.extend(reading.problems)
                known_until = min(known_until, reading.window[1], key=datetime.timestamp)
            statuses.append(SourceStatus(source, copy.read_at if copy and reading else None, error,
                                         len(reading.closures) if reading else 0))
        inputs = (practice, settings.offices, *readings)
        built = self._schedules.get(practice.id)
        if built is not None and len(built[0]) == len(inputs) and all(a is b for a, b in zip(built[0], inputs, strict=True)):
            schedule, office_problems = built[1], built[2]  # nothing it depends on has changed
        else:
            schedule, office_problems = build_schedule(practice, closures, settings.offices, (start, known_until))
            self._schedules[practice.id] = (inputs, schedule, office_problems)
        problems.extend(office_problems)
        for problem in problems:
            logger.warning("practice %s: %s", practice.id, problem)
        return PracticeState(practice, schedule, tuple(statuses), tuple(problems), start, end)

    def _read(self, source: CalendarSource, practice: Practice, start: datetime, end: datetime,
              now: datetime) -> tuple[_Copy | None, _Reading | None, CalendarError | None]:
        """Read one source: the copy in use, its closures, and the error of this attempt if any."""
        try:
            data = self.read(source.location)
            copy = _Copy(data, now, hashlib.sha256(data).hexdigest())
            reading = self._expand(copy, source, practice, start, end)
        except CalendarError as exc:
            last = self._last_good(source.location)
            try:
                return last, (self._expand(last, source, practice, start, end) if last else None), exc
            except CalendarError:  # a damaged cache file: as if there were no copy
                return None, None, exc
        self._keep(source.location, copy)
        return copy, reading, None

    def _expand(self, copy: _Copy, source: CalendarSource, practice: Practice,
                start: datetime, end: datetime) -> _Reading:
        """The closures of a copy, expanded again only if the copy or the window needs it.

        Expanding is the costly part of a refresh (tens of milliseconds for a busy calendar);
        most refreshes find the same bytes, so a reading is kept until the bytes change or the
        window moves past what was expanded (a week of margin).
        """
        key = (source, practice.timezone.key)
        kept = self._readings.get(key)
        if (kept is not None and kept.digest == copy.digest
                and kept.window[0].timestamp() <= start.timestamp() and end.timestamp() <= kept.window[1].timestamp()):
            return kept
        until = end + REEXPAND_AFTER
        result = read_calendar(copy.data, tz=practice.timezone, start=start, end=until,
                               source=source.label, selection=source.selection)
        reading = _Reading(copy.digest, (start, until), result.closures, result.problems)
        self._readings[key] = reading
        return reading

    def _keep(self, location: str, copy: _Copy) -> None:
        """Keep the copy in memory and on disk. A disk that refuses it (full, read-only) costs only
        the disk copy: the refresh goes on, and the problem is reported."""
        previous = self._copies.get(location)
        self._copies[location] = copy
        if self.cache_dir is None or (previous is not None and previous.digest == copy.digest):
            return
        path = self._cache_path(location)
        temporary: Path | None = None
        try:
            private_folder(path.parent)
            descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")  # 0600
            temporary = Path(name)
            with os.fdopen(descriptor, "wb") as file:
                file.write(copy.data)
            os.replace(temporary, path)  # atomic: another process never reads half a file
        except OSError as exc:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            logger.error("the last good copy of a calendar could not be kept on disk in %s (%s): it is kept in "
                         "memory only until the disk takes it", path.parent, exc.strerror or exc)

    def _last_good(self, location: str) -> _Copy | None:
        if location in self._copies:
            return self._copies[location]
        if self.cache_dir is None:
            return None
        path = self._cache_path(location)
        try:
            data = path.read_bytes()
            read_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:
            return None
        copy = _Copy(data, read_at, hashlib.sha256(data).hexdigest())
        self._copies[location] = copy
        return copy

    def _cache_path(self, location: str) -> Path:
        assert self.cache_dir is not None
        digest = hashlib.sha256(location.encode()).hexdigest()[:32]
        return self.cache_dir / f"{digest}.ics"
