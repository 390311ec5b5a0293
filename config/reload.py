"""The one reload path: a changed configuration is taken once its files have stopped changing, and
a reload never blanks anything.

A file caught while being written is often still valid YAML (cut between two practices, it simply
has fewer), so a change is taken only after its files kept the same size and time for
`SETTLE_SECONDS`; the README asks hosts to write the file atomically (write a copy, rename it).
Then `merge` keeps, for every practice or office whose part has an error, its last good version;
and what the reload removes is said (`Reloaded.removed_practices`), on the pages and in the log.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from config.errors import Problem
from config.loader import LoadedConfig, config_files, load_config
from config.settings import Settings

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class Reloaded:
    """The settings to use after a reload, and what the reload did."""

    settings: Settings | None
    problems: tuple[Problem, ...] = ()
    kept: tuple[str, ...] = ()              # practices whose last good version stays (their part has an error)
    removed_practices: tuple[str, ...] = ()
    removed_offices: tuple[str, ...] = ()
    is_refused: bool = False                # nothing of the new file was taken
    added_practices: tuple[str, ...] = field(default=())


def merge(last_good: Settings | None, loaded: LoadedConfig) -> Reloaded:
    """The new settings, with the last good version of each practice and office in error."""
    if loaded.settings is None:
        return Reloaded(last_good, loaded.problems, tuple(p.id for p in last_good.practices) if last_good else (),
                        is_refused=True)
    new = loaded.settings
    practices = list(new.practices)
    offices = dict(new.offices)
    kept: list[str] = []
    if last_good is not None:
        previous = {p.id: p for p in last_good.practices}
        taken = {number for p in practices for number in p.numbers}
        for ident in sorted(loaded.broken):
            old = previous.get(ident)
            if old is None or any(p.id == ident for p in practices):
                continue
            if taken & set(old.numbers):
                continue  # its number now belongs to another practice: the new file wins
            practices.append(old)
            kept.append(ident)
            for office_id in (*old.closure_chain, *old.after_hours_chain):
                if office_id not in offices and office_id in last_good.offices:
                    offices[office_id] = last_good.offices[office_id]
        for office_id in loaded.broken_offices:
            if office_id not in offices and office_id in last_good.offices:
                offices[office_id] = last_good.offices[office_id]
    ids = {p.id for p in practices}
    removed_practices = tuple(p.id for p in last_good.practices if p.id not in ids) if last_good else ()
    removed_offices = tuple(o for o in (last_good.offices if last_good else {}) if o not in offices)
    added = tuple(p.id for p in new.practices if last_good is None or p.id not in {q.id for q in last_good.practices})
    settings = Settings(path=new.path, practices=tuple(practices), offices=offices, service=new.service,
                        greetings=new.greetings)
    return Reloaded(settings, loaded.problems, tuple(kept), removed_practices, removed_offices, False, added)


class ConfigWatcher:
    """Watches the configuration's files; `poll()` gives a new reading once they settled."""

    def __init__(self, path: Path, settle: float = SETTLE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.path, self.settle, self.clock = path, settle, clock
        self._taken: tuple[tuple[str, int, int], ...] | None = None
        self._pending: tuple[tuple[str, int, int], ...] | None = None
        self._pending_since = 0.0

    def signature(self) -> tuple[tuple[str, int, int], ...]:
        found = []
        for file in config_files(self.path):
            try:
                info = file.stat()
            except OSError:
                continue
            found.append((str(file), info.st_mtime_ns, info.st_size))
        return tuple(found)

    def poll(self) -> LoadedConfig | None:
        """The configuration read again when its files changed and then kept still for `settle`
        seconds (at the first poll, at once); None when there is nothing new to take."""
        current = self.signature()
        if current == self._taken:
            self._pending = None
            return None
        now = self.clock()
        if self._taken is not None:
            if current != self._pending:
                self._pending, self._pending_since = current, now
                logger.info("configuration %s changed: taken once it has not changed for %g s", self.path,
                            self.settle)
                return None
            if now - self._pending_since < self.settle:
                return None
        self._taken, self._pending = current, None
        return load_config(self.path)


REPORTED_PROBLEMS = 20


def report(reloaded: Reloaded) -> list[str]:
    """What a reload did, for the log: the configuration's problems (the first
    REPORTED_PROBLEMS; `config check` lists them all), what it removed or could not take."""
    lines = [str(problem) for problem in reloaded.problems[:REPORTED_PROBLEMS]]
    if len(reloaded.problems) > REPORTED_PROBLEMS:
        lines.append(f"... and {len(reloaded.problems) - REPORTED_PROBLEMS} more problem(s) of the configuration: "
                     "`flask --app app config check` lists them all")
    if reloaded.is_refused:
        lines.append("the configuration cannot be used as it is: the last good one stays in use")
    for ident in reloaded.kept:
        lines.append(f"practice {ident}: its part of the configuration has an error; its last good version stays")
    if reloaded.removed_practices:
        lines.append(f"this reload removes practice(s) {', '.join(reloaded.removed_practices)}: their calls now go to "
                     "the fallback. If a file was caught half-written, write it again (atomically)")
    if reloaded.removed_offices:
        lines.append(f"this reload removes covering office(s) {', '.join(reloaded.removed_offices)}")
    return lines
