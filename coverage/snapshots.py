"""Practices as the web processes see them: what the worker stored, never a calendar.

`Snapshots` loads the directory (every practice's numbers and version, the offices' numbers, the
service settings) at its first use and watches its generation every `CHECK_SECONDS`, so a new
version stored by the worker is taken within seconds. A practice's snapshot (settings, schedule,
calendars' status, swapped together) is read on demand and kept in a bounded cache, decoded: a
web process holds the practices that are being called, not all ten thousand. The directory is
also kept on disk, so a process that starts while the database is down still knows each
practice's lines for the fallback.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from calendars.errors import CalendarError, NotACalendar, OverLimits, SourceUnreachable
from calendars.messages import said_from_json
from calendars.model import CalendarProblem
from config.errors import Problem
from config.settings import CalendarSource, Practice, Service, Settings
from config.snapshot import service_from_json, settings_from_json
from coverage.closing import Closing, running, with_closing
from coverage.schedule import Answer, Schedule, decode, holds_until, resolve_coverage, resolve_near
from coverage.store import Store, StoreUnavailable, closings, snapshots
from coverage.store.engine import private_folder

logger = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
CACHE_SIZE = 512         # practices held with their whole schedule (pages, notices)
NEAR_CACHE_SIZE = 1024   # practices held with the coming weeks (webhooks after the incoming call)


@dataclass(frozen=True)
class SourceStatus:
    """How one calendar stands: whether a copy of it is in use, since when, and its error."""

    source: CalendarSource
    is_in_use: bool
    copy_since: datetime | None = None
    error: CalendarError | None = None
    error_since: datetime | None = None
    closures: int = 0

    @property
    def read_at(self) -> datetime | None:
        """When the copy in use was read (its content last changed)."""
        return self.copy_since


@dataclass(frozen=True)
class PracticeView:
    """One practice as the worker last stored it."""

    practice: Practice
    settings: Settings      # this practice, the offices it calls on, the service, the greetings
    schedule: Schedule
    status: str             # JSON: its calendars' state and problems, read when a page asks
    version: str
    is_near: bool = False   # `schedule` is the coming weeks only (what webhooks read), not the whole

    @cached_property
    def _status(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.status)
        return found

    @cached_property
    def sources(self) -> tuple[SourceStatus, ...]:
        found = []
        for source, state in zip(self.practice.calendars, self._status["sources"], strict=False):
            error = state.get("error")
            found.append(SourceStatus(
                source, bool(state["in_use"]), _when(state.get("copy_since")),
                _error_of(source.label, error) if error else None,
                _when(state.get("error_since")), int(state.get("closures", 0))))
        return tuple(found)

    @property
    def problems(self) -> tuple[CalendarProblem, ...]:
        """What was skipped or worked around in its calendars (the rest of them is used)."""
        return tuple(CalendarProblem.from_json(problem) for problem in self._status["problems"])

    @property
    def calendars_known(self) -> bool:
        """Every calendar has a copy in use (no cancellation is sent otherwise)."""
        return all(status.is_in_use for status in self.sources)


@dataclass(frozen=True)
class Directory:
    """What the worker says of all practices, in a few bytes each."""

    generation: int = 0
    practices: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_number: dict[str, str] = field(default_factory=dict)
    office_numbers: frozenset[str] = frozenset()
    service: Service = field(default_factory=Service)
    problems: tuple[Problem, ...] = ()      # the configuration's, as the worker last read it
    reload: dict[str, Any] = field(default_factory=dict)
    is_from_disk: bool = False

    @property
    def releve_numbers(self) -> frozenset[str]:
        return frozenset(self.by_number)

    @classmethod
    def of(cls, generation: int, value: dict[str, Any], is_from_disk: bool = False) -> Directory:
        practices = value.get("practices", {})
        return cls(generation, practices, {n: ident for ident, p in practices.items() for n in p["numbers"]},
                   frozenset(value.get("office_numbers", ())), service_from_json(value["service"])
                   if value.get("service") else Service(),
                   tuple(Problem.from_json(problem) for problem in value.get("problems", ())),
                   dict(value.get("reload", {})), is_from_disk)


def view_of(snapshot: snapshots.Snapshot | snapshots.NearSnapshot) -> PracticeView:
    """A stored snapshot, decoded: with its whole schedule, or with the coming weeks only."""
    is_near = isinstance(snapshot, snapshots.NearSnapshot)
    blob = snapshot.near if isinstance(snapshot, snapshots.NearSnapshot) else snapshot.schedule
    assert blob is not None
    settings = settings_from_json(json.loads(snapshot.settings))
    return PracticeView(settings.practices[0], settings, decode(blob), snapshot.status, snapshot.version, is_near)


@dataclass(frozen=True)
class Decision:
    """Who covers a practice at an instant, and for how long that holds."""

    view: PracticeView
    answer: Answer
    until: float                     # the same answer holds from `answer.at` until then (a timestamp)
    closings: tuple[Closing, ...]    # the practice's closings it took into account


class Snapshots:
    """The web processes' practices: the directory, and a cache of decoded snapshots."""

    def __init__(self, store: Store, data_dir: Path | None = None, cache_size: int = CACHE_SIZE,
                 clock: Callable[[], float] = time.monotonic, near_cache_size: int = NEAR_CACHE_SIZE,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC), closings_store: Store | None = None) -> None:
        self.store, self.data_dir, self.clock, self.now = store, data_dir, clock, now
        self.closings_store = closings_store  # where closings are read, when not in `store`
        self._closings: dict[str, tuple[Closing, ...]] = {}
        self.cache_size = cache_size
        self.near_cache_size = near_cache_size
        self._directory: Directory | None = None
        self._checked = -1e18
        self._views: OrderedDict[str, PracticeView] = OrderedDict()
        self._near: OrderedDict[str, PracticeView] = OrderedDict()
        self._lock = threading.Lock()
        self.before_use: list[Callable[[], None]] = []  # an embedded worker reads calendars first

    # -- the directory ---------------------------------------------------------------------------

    def directory(self, *, peek: bool = False) -> Directory:
        """The directory, checked against the database's generation at most every CHECK_SECONDS.
        `peek`: only what is stored, without the first read of an embedded worker."""
        if not peek:
            for callback in self.before_use:
                callback()
        if self._directory is not None and self.clock() - self._checked < CHECK_SECONDS:
            return self._directory
        with self._lock:
            if self._directory is None or self.clock() - self._checked >= CHECK_SECONDS:
                self._reload_directory()
        return self._directory or Directory()

    def expire(self) -> None:
        """The worker of this very process stored something: look at once."""
        self._checked = -1e18

    def _reload_directory(self) -> None:
        self._checked = self.clock()
        try:
            if self.closings_store is not None:
                try:
                    with self.closings_store.begin() as connection:
                        self._closings = _closings(closings.running(connection, self.now()))
                except StoreUnavailable:
                    pass
            with self.store.begin() as connection:
                if self.closings_store is None:
                    self._closings = _closings(closings.running(connection, self.now()))
                generation = snapshots.generation(connection)
                if self._directory is not None and generation == self._directory.generation \
                        and not self._directory.is_from_disk:
                    return
                generation, value = snapshots.read_directory(connection)
        except StoreUnavailable as exc:
            if self._directory is None:
                self._directory = self._from_disk()
                if self._directory is not None:
                    logger.error("the database cannot be used (%s): the practices' lines come from the copy on "
                                 "disk, for the fallback", exc)
            return
        if value is None:
            if self._directory is None:
                logger.warning("no practice in the database yet: the worker stores them at its first read "
                               "(`flask --app app scheduler run`, or RELEVE_EMBEDDED_WORKER=1 for a single process)")
            self._directory = Directory(generation)
            return
        old = self._directory
        self._directory = Directory.of(generation, value)
        if old is not None:
            for cache in (self._views, self._near):
                for ident, cached in list(cache.items()):
                    entry = self._directory.practices.get(ident)
                    if entry is None or entry["version"] != cached.version:
                        cache.pop(ident, None)
        self._to_disk(generation, value)

    def _disk_path(self) -> Path | None:
        return self.data_dir / "directory.json" if self.data_dir else None

    def _to_disk(self, generation: int, value: dict[str, Any]) -> None:
        path = self._disk_path()
        if path is None:
            return
        try:
            private_folder(path.parent)
            descriptor, name = tempfile.mkstemp(dir=path.parent, prefix="directory.", suffix=".tmp")
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                json.dump({"generation": generation, "directory": value}, file, ensure_ascii=False)
            os.replace(name, path)
        except OSError as exc:
            logger.warning("the copy of the directory could not be kept on disk (%s)", exc.strerror or exc)

    def _from_disk(self) -> Directory | None:
        path = self._disk_path()
        try:
            saved = json.loads(path.read_text(encoding="utf-8")) if path else None
        except (OSError, ValueError):
            return None
        return Directory.of(int(saved["generation"]), saved["directory"], is_from_disk=True) if saved else None

    # -- practices -------------------------------------------------------------------------------

    def practice_id_for_number(self, number: str) -> str | None:
        return self.directory().by_number.get(number.strip())

    def for_number(self, number: str) -> PracticeView | None:
        """The practice whose Twilio number was dialled; None when no practice has it."""
        ident = self.practice_id_for_number(number)
        return self.view(ident) if ident is not None else None

    def view(self, practice_id: str) -> PracticeView:
        """A practice as stored, with its whole schedule; KeyError when there is none;
        StoreUnavailable when it cannot be read."""
        return self._cached(self._views, self.cache_size, practice_id, snapshots.load)

    def near_view(self, practice_id: str) -> PracticeView:
        """A practice as stored, with the coming weeks of its schedule (or the whole of it when
        the worker stored none): what a webhook needs, a tenth of the bytes to read and hold."""
        try:
            return self._cached(self._near, self.near_cache_size, practice_id, _load_near)
        except _NoNear:
            return self.view(practice_id)

    def answer(self, practice_id: str, at: datetime) -> Answer:
        return self.view_and_answer(practice_id, at)[1]

    def closing(self, practice_id: str, at: datetime) -> Closing | None:
        """The practice's « Fermer maintenant » running at `at`, as last read (every CHECK_SECONDS)."""
        self.directory()
        return running(self._closings.get(practice_id, ()), at)

    def closings(self, practice_id: str) -> tuple[Closing, ...]:
        """The practice's closings still running or to come."""
        self.directory()
        return self._closings.get(practice_id, ())

    def view_and_answer(self, practice_id: str, at: datetime) -> tuple[PracticeView, Answer]:
        """Who covers the practice at `at` (a closing set by hand first), with the view it came from."""
        decision = self.decide(practice_id, at)
        return decision.view, decision.answer

    def decide(self, practice_id: str, at: datetime) -> Decision:
        """Who covers the practice at `at` (a closing set by hand first), from the coming weeks
        when they can tell, else from the whole schedule; with the view it came from and until
        when it holds."""
        near = self.near_view(practice_id)
        closings = self._closings.get(practice_id, ())  # near_view has just looked at the directory
        closing = running(closings, at)
        if near.is_near:
            found = resolve_near(near.schedule, at)
            if found is not None:
                until = min(holds_until(near.schedule, at), _next_edge(closings, at))
                return Decision(near, with_closing(found, closing, near.practice, near.schedule), until, closings)
        whole = self.view(practice_id)
        answer = with_closing(resolve_coverage(whole.schedule, at), closing, whole.practice, whole.schedule)
        return Decision(whole, answer, at.timestamp(), closings)

    def _cached(self, cache: OrderedDict[str, PracticeView], size: int, practice_id: str,
                load: Callable[[Any, str], Any]) -> PracticeView:
        directory = self.directory()
        entry = directory.practices.get(practice_id)
        cached = cache.get(practice_id)
        if cached is not None and (entry is None and directory.is_from_disk or entry and entry["version"] == cached.version):
            with self._lock:
                if practice_id in cache:
                    cache.move_to_end(practice_id)
            return cached
        if entry is None:
            raise KeyError(practice_id)
        with self.store.begin() as connection:
            snapshot = load(connection, practice_id)
        if snapshot is None:
            raise KeyError(practice_id)
        found = view_of(snapshot)
        with self._lock:
            cache[practice_id] = found
            while len(cache) > size:
                cache.popitem(last=False)
        return found

    def views(self) -> list[PracticeView]:
        """Every practice, in the configuration's order (the pages of the host, the notices)."""
        found = []
        for ident in self.directory().practices:
            try:
                found.append(self.view(ident))
            except KeyError:
                continue
        return found


    def calendars_read_at(self) -> datetime | None:
        try:
            with self.store.begin() as connection:
                return _when(snapshots.get_state(connection, "calendars_read_at"))
        except StoreUnavailable:
            return None


class _NoNear(Exception):
    """A snapshot stored without the coming weeks (by a release before them)."""


def _load_near(connection: Any, practice_id: str) -> snapshots.NearSnapshot | None:
    found = snapshots.load_near(connection, practice_id)
    if found is not None and found.near is None:
        raise _NoNear(practice_id)
    return found


def _next_edge(closings: tuple[Closing, ...], at: datetime) -> float:
    """When the next closing starts or the running one ends (infinity when none is ahead)."""
    stamp = at.timestamp()
    return min((edge for c in closings for edge in (c.starts_at.timestamp(), c.ends_at.timestamp()) if edge > stamp),
               default=float("inf"))


def _closings(rows: list[Any]) -> dict[str, tuple[Closing, ...]]:
    found: dict[str, list[Closing]] = {}
    for row in rows:
        found.setdefault(row.practice_id, []).append(Closing(
            row.id, row.practice_id, row.starts_at, row.ends_at, row.reason,
            tuple(o for o in row.chain.split(",") if o), row.set_by))
    return {ident: tuple(sorted(items, key=lambda c: c.starts_at.timestamp())) for ident, items in found.items()}


def _error_of(label: str, error: dict[str, Any]) -> CalendarError:
    """The calendar's error as it was raised: a page that is not a calendar, a calendar over its
    bounds, an address that cannot be reached."""
    kind = error.get("kind")
    message, fix = said_from_json(error["message"]), said_from_json(error.get("fix", ""))
    if kind == "NotACalendar":
        return NotACalendar(label, message, fix)
    if kind == "OverLimits":
        return OverLimits(label, message, fix)
    return SourceUnreachable(label, message, fix, is_temporary=bool(error.get("temporary")))


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
