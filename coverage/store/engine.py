"""The database: SQLite in the data folder by default, PostgreSQL for several processes and machines.

`Store` connects lazily and never raises at construction, so a web process starts (and its
fallback answers calls) while the database is down. The first use brings the schema to the
newest migration, under a lock that any number of processes starting together on a new data
folder share. With SQLite, a database file deleted or replaced under a running process is
noticed before the next write, and made again, instead of writing into a file nobody can open.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"  # the schema the release before migrations made with create_all
_PG_MIGRATION_LOCK = 727_001  # pg_advisory_lock key: one process migrates, the others wait


class StoreUnavailable(Exception):
    """The database cannot be used right now (down, locked, read-only, deleted, schema behind)."""


def sqlite_path(url: str) -> Path | None:
    """The file of a sqlite:/// URL; None for another backend or an in-memory database."""
    if not url.startswith("sqlite:///") or url in ("sqlite:///", "sqlite:///:memory:"):
        return None
    return Path(url.removeprefix("sqlite:///"))


def private_folder(path: Path) -> None:
    """Make a folder that only the service user can read (patients' data lives under it)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


@dataclass(frozen=True)
class Health:
    """How the database stands, for the pages and the logs."""

    is_available: bool
    error: str | None = None
    since: datetime | None = None


class Store:
    """One database for every process: `with store.begin() as connection:` is one transaction."""

    def __init__(self, url: str, *, busy_timeout: float = 2.0, auto_migrate: bool = True) -> None:
        self.url = url
        self.busy_timeout = busy_timeout
        self.auto_migrate = auto_migrate
        self.path = sqlite_path(url)
        self._engine: Engine | None = None
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._error: str | None = None
        self._failing_since: datetime | None = None

    # -- using it -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction; raise StoreUnavailable when the database cannot be used."""
        engine = self.engine()
        try:
            with engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            self._failed(exc)
            raise StoreUnavailable(_describe(exc)) from exc
        self._succeeded()

    def engine(self) -> Engine:
        """The engine, the schema at the newest migration; raise StoreUnavailable."""
        with self._lock:
            if self._engine is not None and self.path is not None and not self._same_file():
                logger.error("the database file %s was deleted or replaced: making it again", self.path)
                self._engine.dispose()
                self._engine = None
            if self._engine is None:
                try:
                    self._engine = self._open()
                except (SQLAlchemyError, OSError) as exc:
                    self._failed(exc)
                    raise StoreUnavailable(_describe(exc)) from exc
            return self._engine

    def revision(self) -> str | None:
        """The schema revision of the database as it is, without migrating it."""
        engine = create_engine(self.url, hide_parameters=True)
        try:
            with engine.connect() as connection:
                return current_revision(connection)
        except SQLAlchemyError as exc:
            raise StoreUnavailable(_describe(exc)) from exc
        finally:
            engine.dispose()

    @property
    def health(self) -> Health:
        return Health(self._error is None, self._error, self._failing_since)

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    @property
    def dialect(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else self.url.split(":", 1)[0].split("+", 1)[0]

    # -- opening ------------------------------------------------------------------------------

    def _open(self) -> Engine:
        # hide_parameters: an error message never carries the values of a row (numbers, words).
        options: dict[str, Any] = {"hide_parameters": True}
        if self.dialect == "sqlite":
            if self.path is None:
                options["poolclass"] = StaticPool  # one in-memory database shared by all threads
            options["connect_args"] = {"check_same_thread": False, "timeout": self.busy_timeout}
        elif self.dialect == "postgresql":
            # Give up quickly: a webhook that cannot reach the database spools what it has.
            options["connect_args"] = {"connect_timeout": max(1, int(self.busy_timeout)),
                                       "options": f"-c lock_timeout={int(self.busy_timeout * 1000)}"}
            options["pool_pre_ping"] = True
        engine = create_engine(self.url, **options)
        if self.dialect == "sqlite":
            event.listen(engine, "connect", self._sqlite_pragmas)
        try:
            if self.path is not None:
                self._prepare_sqlite_file(engine)
            else:
                with engine.connect() as connection:
                    self._migrate(connection)
        except BaseException:
            engine.dispose()
            raise
        return engine

    def _prepare_sqlite_file(self, engine: Engine) -> None:
        """Create the file (readable by the service user only), switch it to WAL and migrate it,
        under a lock file: processes starting together on a new folder take turns."""
        assert self.path is not None
        private_folder(self.path.parent)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600), "r+b") as lock:
            _flock_with_timeout(lock.fileno(), 30.0)
            try:
                descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                os.close(descriptor)
                with engine.connect() as connection:
                    # WAL lets readers go on while one process writes. It is a property of the file,
                    # set once here under the lock: setting it on every connection races when
                    # several processes open a new file together ("database is locked").
                    mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
                    if str(mode).lower() != "wal":
                        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
                    self._migrate(connection)
                info = self.path.stat()
                self._identity = (info.st_dev, info.st_ino)
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _sqlite_pragmas(self, dbapi_connection: Any, _record: Any) -> None:
        # NORMAL syncs at each checkpoint rather than each commit, which WAL makes safe against
        # corruption (a power cut may lose the last commits, never the database).
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    def _same_file(self) -> bool:
        assert self.path is not None
        try:
            info = self.path.stat()
        except OSError:
            return False
        return self._identity == (info.st_dev, info.st_ino)

    # -- the schema ---------------------------------------------------------------------------

    def _migrate(self, connection: Connection) -> None:
        """Bring the schema to the newest migration (or check that it is there)."""
        if self.dialect == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({_PG_MIGRATION_LOCK})")
        try:
            current = current_revision(connection)
            if current == SCHEMA_REVISION:
                return
            if not self.auto_migrate:
                raise StoreUnavailable(f"the database schema is at {current or 'nothing'}, the code needs "
                                       f"{SCHEMA_REVISION}: run `flask --app app db upgrade`")
            upgrade(connection)
        finally:
            if self.dialect == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_PG_MIGRATION_LOCK})")
            connection.commit()

    # -- health -------------------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        if self._error is None:
            self._failing_since = datetime.now(UTC)
            logger.error("the database cannot be used: %s", _describe(exc))
        self._error = _describe(exc)

    def _succeeded(self) -> None:
        if self._error is not None:
            logger.warning("the database is usable again (it failed from %s: %s)",
                           self._failing_since.isoformat() if self._failing_since else "?", self._error)
        self._error = None
        self._failing_since = None


# The newest migration, which coverage.store.tables describes (tests check that it is Alembic's
# head). A process compares the database with it without importing Alembic, which would cost a web
# process a fifth of a second at its start; Alembic is loaded only to migrate.
SCHEMA_REVISION = "0006"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration, as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The database's revision (Alembic's alembic_version table), None for a database without one."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    found: str | None = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return found


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Apply the migrations up to `revision`. A database made by the release before migrations
    (tables, no alembic_version) is first marked as the baseline it is."""
    from alembic import command

    config = alembic_config(connection)
    names = set(inspect(connection).get_table_names())
    if "calls" in names and "alembic_version" not in names:
        logger.info("database from before migrations: marking it as revision %s", BASELINE)
        command.stamp(config, BASELINE)
    command.upgrade(config, revision)
    logger.info("database schema at revision %s", current_revision(connection))


def _flock_with_timeout(descriptor: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise OSError("another process holds the database's lock file for too long") from None
            time.sleep(0.02)


def _describe(exc: BaseException) -> str:
    """What went wrong, without the SQL parameters (they hold patients' numbers and words)."""
    if isinstance(exc, SQLAlchemyError):
        original = getattr(exc, "orig", None)
        text = str(original) if original is not None else type(exc).__name__
        return f"{type(original or exc).__name__}: {text.splitlines()[0][:300] if text else ''}"
    if isinstance(exc, OSError):
        return f"{type(exc).__name__}: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {str(exc)[:300]}"
