"""Nothing a caller leaves is lost: the contact log, with a spool for when the database fails.

`ContactLog.write(event)` writes an event of the contact log (a call, a leg, a voicemail, a text)
to the database. When the database cannot take it (down, locked, read-only, deleted), the event
is appended to this process's spool, a file of one JSON line per event in the data folder, and
the webhook goes on: the caller is answered either way, within Twilio's time limit. A thread
replays the spool into the database once it answers again, in order, once (applying an event
twice changes nothing). A process holds a lock on its own spool file while it lives; a spool
whose process died is taken over by the next process that looks. When even the disk refuses the
spool (full, read-only), events are kept in memory until one of the two comes back.

`ContactLog.record(event)` is the webhooks' write-behind: the event is appended to the spool
(a line written, not waited on) and the replay thread, woken at once, applies what came meanwhile
in one transaction. A caller's webhook then never waits on the database, and the events of many
calls cost one commit. Events are written so that their order does not matter (a later event
of a call that comes first makes the row its start completes), so a direct `write` need not wait
behind them; only behind events spooled because the database failed does it keep its turn.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from coverage.store import contacts
from coverage.store.engine import Store, StoreUnavailable, private_folder

logger = logging.getLogger(__name__)

MEMORY_LIMIT = 100_000   # events kept in memory when neither the database nor the disk takes them
REPLAY_SECONDS = 2.0
ORPHAN_SECONDS = 30.0    # how often another process's abandoned spool is looked for
MIRROR_LIMIT = 10_000    # events waiting to be applied that are also held as objects
BATCH_SECONDS = 0.05     # how long events written behind wait for others, to share their transaction


class _OneRefused(Exception):
    """The database refused one record of a batch (too long, a constraint), not the batch."""


@dataclass(frozen=True)
class SpoolHealth:
    """What the pages and the logs say about the contact log."""

    pending: int                 # events waiting in this process's spool (file and memory)
    database_error: str | None   # why the database cannot be used, when it cannot
    disk_error: str | None       # why the spool file cannot be written, when it cannot
    since: datetime | None


class ContactLog:
    """The contact log of one process: the database, and this process's spool behind it."""

    def __init__(self, store: Store, folder: Path | None) -> None:
        self.store = store
        self.folder = folder
        self._lock = threading.RLock()
        self._name = f"{socket.gethostname()}-{os.getpid()}-{time.time_ns()}"
        self._descriptor: int | None = None
        self._offset = 0          # how much of this process's spool file is in the database
        self._pending = 0
        self._memory: list[dict[str, Any]] = []
        # What this process's spool file holds past the offset, as written: (where its line
        # ends, the record, the event), so that a replay applies them without reading the file
        # back. None once it cannot say (a short write, too many waiting): the file is read.
        self._mirror: list[tuple[int, dict[str, Any], contacts.Event]] | None = []
        self._size = 0            # of this process's spool file, as written
        self._disk_error: str | None = None
        self._since: datetime | None = None
        self._after_replay: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._refused = False     # the database refused the last replay
        self._replaying = threading.Lock()
        self._texts_replayed = False
        self._last_orphan_look = 0.0

    # -- writing ------------------------------------------------------------------------------

    def write(self, event: contacts.Event) -> bool | None:
        """Write the event now; True if new, False if known, None when it went to the spool."""
        if self._since is None:  # behind events the database refused, a new one waits its turn
            try:
                with self.store.begin() as connection:
                    return contacts.apply(connection, event)
            except StoreUnavailable:
                pass
        self._spool(contacts.as_record(event), event, refused=True)
        return None

    def record(self, event: contacts.Event) -> None:
        """Write the event behind (see the module): at once to the spool, to the database within
        milliseconds. Without the replay thread (tests, tools), the same as `write`."""
        if self._thread is None:
            self.write(event)
            return
        self._spool(contacts.as_record(event), event, refused=False)

    def flush(self) -> bool:
        """Apply this process's spool now; True when nothing of it waits any more."""
        self._replay_own()
        return self._pending == 0

    def _spool(self, record: dict[str, Any], event: contacts.Event, refused: bool = True) -> None:
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            if refused and self._since is None:
                self._since = datetime.now(UTC)
            self._pending += 1
            try:
                descriptor = self._own_file()
                written = os.write(descriptor, line)
                self._size += written
                if self._mirror is not None:
                    if written == len(line) and len(self._mirror) < MIRROR_LIMIT:
                        self._mirror.append((self._size, record, event))
                    else:
                        self._mirror = None
                self._disk_error = None
            except OSError as exc:
                if self._disk_error is None:
                    logger.error("the spool cannot be written (%s): events are kept in memory until the "
                                 "database or the disk takes them", exc.strerror or exc)
                self._disk_error = exc.strerror or str(exc)
                if len(self._memory) < MEMORY_LIMIT:
                    self._memory.append(record)
                else:
                    logger.error("an event of the contact log is lost: %d are held in memory already",
                                 MEMORY_LIMIT)
        self._wake.set()

    def _own_file(self) -> int:
        if self.folder is None:
            raise OSError("no data folder for a spool")
        if self._descriptor is None:
            private_folder(self.folder)
            path = self.folder / f"{self._name}.jsonl"
            descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            fcntl.flock(descriptor, fcntl.LOCK_EX)  # held while this process lives: not an orphan
            self._descriptor = descriptor
        return self._descriptor

    # -- replaying ----------------------------------------------------------------------------

    def replay(self) -> int:
        """Apply what the spools hold (this process's, and any whose process died); how many events."""
        was_refused = self._since is not None
        applied = self._replay_own()
        recovered = was_refused and self._since is None
        if recovered or time.monotonic() - self._last_orphan_look > ORPHAN_SECONDS:
            # The database is back: other processes' spools, left when they stopped, come next.
            self._last_orphan_look = time.monotonic()
            applied += self._replay_orphans()
        if self._texts_replayed:  # texts that waited in a spool: they are handled now
            self._texts_replayed = False
            for callback in self._after_replay:
                try:
                    callback()
                except Exception:  # noqa: BLE001 - a callback must not stop the replay thread
                    logger.exception("after replaying the spool, a follow-up step failed")
        return applied

    def _replay_own(self) -> int:
        """Apply this process's spool. The file stays append-only: what was applied is remembered
        as an offset, and the file is emptied only once all of it is in the database. One replay
        at a time (the thread, or a webhook's `flush`)."""
        with self._replaying:
            return self._replay_own_now()

    def _replay_own_now(self) -> int:
        with self._lock:
            if self._pending == 0:
                return 0
            records, end = self._unreplayed()
            memory = list(self._memory)
        try:
            applied = self._apply_all(records + [(record, None) for record in memory])
        except StoreUnavailable:
            with self._lock:
                self._refused = True
                if self._since is None:
                    self._since = datetime.now(UTC)
            return 0  # not now: everything stays as it was, in order, for the next try
        with self._lock:
            self._refused = False
            self._offset = end
            if self._mirror is not None:
                del self._mirror[:sum(1 for line_end, _, _ in self._mirror if line_end <= end)]
            del self._memory[:len(memory)]
            self._pending -= len(records) + len(memory)
            if self._descriptor is not None and os.fstat(self._descriptor).st_size == self._offset:
                os.ftruncate(self._descriptor, 0)
                self._offset = self._size = 0
                self._mirror = []  # the file is empty: the mirror starts again
            if self._pending <= 0:
                self._pending = 0
                if self._since is not None:
                    logger.warning("the spool is replayed into the database: %d event(s) since %s", applied,
                                   self._since.isoformat())
                self._since = None
        return applied

    def _unreplayed(self) -> tuple[list[tuple[dict[str, Any], contacts.Event | None]], int]:
        """The records of this process's spool file past the offset (with their events when
        the mirror has them), and where they end."""
        if self._descriptor is None:
            return [], 0
        if self._mirror is not None:
            return [(record, event) for _, record, event in self._mirror], \
                self._mirror[-1][0] if self._mirror else self._offset
        size = os.fstat(self._descriptor).st_size
        data = os.pread(self._descriptor, size - self._offset, self._offset) if size > self._offset else b""
        complete = data[:data.rfind(b"\n") + 1]
        return [(record, None) for record in _parse_lines(complete, "this process's spool")], \
            self._offset + len(complete)

    def _replay_orphans(self) -> int:
        if self.folder is None or not self.folder.is_dir():
            return 0
        applied = 0
        for path in sorted(self.folder.glob("*.jsonl")):
            if path.name == f"{self._name}.jsonl":
                continue
            with _locked_if_orphan(path) as is_orphan:
                if not is_orphan:
                    continue
                try:
                    applied += self._apply_all([(record, None) for record in _parse_lines(path.read_bytes(),
                                                                                          path.name)])
                except StoreUnavailable:
                    return applied
                logger.warning("replayed the spool %s left by a process that stopped", path.name)
                path.unlink(missing_ok=True)
        return applied

    def _apply_all(self, records: list[tuple[dict[str, Any], contacts.Event | None]]) -> int:
        """Apply the records in order, in one transaction. Should the database refuse one of them
        (not the database failing: that record), the batch is applied again with each record on
        its own savepoint, and that one is set aside rather than holding back the others."""
        if not records:
            return 0
        events = []
        for record, known in records:
            try:
                events.append((record, known if known is not None else contacts.from_record(record)))
            except (KeyError, TypeError, ValueError) as exc:
                self._reject(record, f"it cannot be read: {exc}")
        if any(isinstance(event, contacts.TextIn) for _, event in events):
            self._texts_replayed = True
        try:
            with self.store.begin() as connection:
                try:
                    contacts.apply_all(connection, [event for _, event in events])
                except SQLAlchemyError as exc:
                    if _is_unavailable(exc):
                        raise
                    raise _OneRefused from exc
        except _OneRefused:
            with self.store.begin() as connection:
                for record, event in events:
                    self._apply_one(connection, record, event)
        return len(records)

    def _apply_one(self, connection: Connection, record: dict[str, Any], event: contacts.Event) -> None:
        try:
            with connection.begin_nested():
                contacts.apply(connection, event)
        except SQLAlchemyError as exc:
            if _is_unavailable(exc):
                raise StoreUnavailable(str(exc)) from exc
            self._reject(record, f"the database refused it: {type(exc).__name__}")

    def _reject(self, record: dict[str, Any], why: str) -> None:
        logger.error("a spooled %s event is set aside in rejected/: %s", record.get("event"), why)
        if self.folder is None:
            return
        try:
            private_folder(self.folder / "rejected")
            descriptor = os.open(self.folder / "rejected" / "events.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                                 0o600)
            try:
                os.write(descriptor, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
            finally:
                os.close(descriptor)
        except OSError:
            logger.error("a rejected event could not be set aside either")

    # -- the thread ---------------------------------------------------------------------------

    def after_replay(self, callback: Callable[[], None]) -> None:
        """Call `callback` after events were replayed (texts stored late are then handled)."""
        self._after_replay.append(callback)

    def start(self) -> None:
        """Replay in the background: at once (a spool left by a process that stopped), then
        whenever something was spooled, every few seconds until the database takes it."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="releve-spool", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            applied = 0
            try:
                applied = self.replay()
            except Exception:  # noqa: BLE001 - the replay thread must outlive any one bad round
                logger.exception("replaying the spool failed; it is kept and tried again")
                self._refused = True
            if self._refused or (self._pending and not applied):
                time.sleep(REPLAY_SECONDS)  # the database just failed: give it a moment
                continue
            # Wait for the next event, then let a few more come: they are applied in one transaction.
            if not self._pending:
                self._wake.wait(ORPHAN_SECONDS)
            self._wake.clear()
            time.sleep(BATCH_SECONDS)

    @property
    def health(self) -> SpoolHealth:
        """Events wait in the spool only when the database refused them: those written behind
        are in it within milliseconds, and are not worth a word."""
        return SpoolHealth(self._pending if self._since is not None else 0, self.store.health.error,
                           self._disk_error, self._since)


def _parse_lines(data: bytes, where: str) -> list[dict[str, Any]]:
    """The events of complete spool lines (a line cut short by a crash is not an event)."""
    records = []
    for raw in data[:data.rfind(b"\n") + 1].split(b"\n"):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            logger.error("a line of %s cannot be read and is skipped", where)
            continue
        if isinstance(value, dict):
            records.append(value)
    return records


@contextlib.contextmanager
def _locked_if_orphan(path: Path) -> Iterator[bool]:
    """True (with the lock held) when no living process holds the spool file."""
    try:
        descriptor = os.open(path, os.O_RDWR)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)


def _is_unavailable(exc: SQLAlchemyError) -> bool:
    """Whether the database as a whole failed (try later), not this one row (set it aside)."""
    from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

    if isinstance(exc, (OperationalError, InterfaceError, DisconnectionError)):
        return True
    return bool(getattr(exc, "connection_invalidated", False))
