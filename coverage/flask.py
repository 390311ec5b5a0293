"""Coverage inside the Flask app: the store, the contact log and its spool, the practices as the
worker stored them, and, where calendars are read, the refresher and the reload path.

Web processes never read a calendar: they read what the worker stored (`Snapshots`). The worker
(`scheduler run`) reads calendars; so does a single process started with RELEVE_EMBEDDED_WORKER=1,
and an app made with settings given (the tests), which reads its calendars at its first use.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flask import Flask, current_app

from config.env import Environment
from config.settings import Settings
from coverage.links import secret_key
from coverage.snapshots import Snapshots
from coverage.store import Store, StoreUnavailable
from coverage.store.spool import ContactLog
from coverage.wording.render import install

if TYPE_CHECKING:  # the refresher and what it reads with are loaded only where calendars are read
    from config.reload import ConfigWatcher
    from coverage.refresh import Refresher

logger = logging.getLogger(__name__)

CONFIG_POLL_SECONDS = 5.0
FIRST_READ_RETRY = 5.0


def init_app(app: Flask) -> None:
    """The store (opened at first use, so the app starts while the database is down), the contact
    log, the snapshots; and the refresher where calendars are read in this process."""
    data_dir = Path(app.config["RELEVE_DATA_DIR"])
    environment: Environment = app.config["RELEVE_ENVIRONMENT"]
    store = Store(app.config.get("RELEVE_DATABASE_URL") or environment.database(data_dir),
                  busy_timeout=app.config.get("RELEVE_DATABASE_TIMEOUT", 2.0),
                  auto_migrate=app.config["RELEVE_AUTO_MIGRATE"])
    app.extensions["releve.db"] = store
    log = ContactLog(store, data_dir / "spool")
    app.extensions["releve.contact_log"] = log
    found = Snapshots(store, data_dir, cache_size=app.config.get("RELEVE_SCHEDULE_CACHE", 512),
                      now=lambda: app.config["RELEVE_CLOCK"]())
    app.extensions["releve.snapshots"] = found
    settings: Settings | None = app.config["RELEVE_SETTINGS"]
    embedded = app.config.get("RELEVE_EMBEDDED_WORKER", environment.embedded_worker or settings is not None)
    app.config["RELEVE_EMBEDDED_WORKER"] = embedded
    if embedded:
        refresher = make_refresher(app, processes=0 if app.testing else 2)
        _read_first(app, refresher, found)
    if not app.config.get("SECRET_KEY"):
        try:
            app.config["SECRET_KEY"] = secret_key(data_dir)
        except OSError as exc:
            # A read-only or full data folder: the app still answers calls, but links it signs
            # now stop working at its restart.
            logger.error("no secret key could be kept in %s (%s): set RELEVE_SECRET_KEY; links signed now "
                         "will not work after a restart", data_dir, exc.strerror or exc)
            app.config["SECRET_KEY"] = secrets.token_urlsafe(32)
    app.config["RELEVE_BASE_URL"] = ((settings.service.public_url if settings else None)
                                     or app.config.get("RELEVE_BASE_URL") or "http://127.0.0.1:5000")
    install(app.jinja_env)  # the notices' helpers and typography: a sheet reads the same on its page
    started = threading.Event()
    starting = threading.Lock()
    app.extensions["releve.at_first_request"] = []

    def start_process() -> None:
        """This process's background work, started at its first request (a page, a webhook, or
        the incoming call routing.fastpath answers), once."""
        if started.is_set():
            return
        with starting:
            if started.is_set():
                return
            started.set()
            for callback in app.extensions["releve.at_first_request"]:
                callback()

    app.extensions["releve.start_process"] = start_process
    app.before_request(start_process)

    def start_spool() -> None:
        if app.config.get("RELEVE_SPOOL_IN_BACKGROUND", not app.testing):
            log.start()  # a spool a previous process left is replayed now

    at_first_request(app, start_spool)


def at_first_request(app: Flask, callback: Callable[[], None]) -> None:
    """Run `callback` at the process's first request, before it is answered (threads are started
    then, not at import: a process forked by gunicorn gets its own)."""
    app.extensions["releve.at_first_request"].append(callback)


def make_refresher(app: Flask, processes: int = 2) -> Refresher:
    """The refresher of this process (one per app): settings from the app, else the reload path."""
    existing: Refresher | None = app.extensions.get("releve.refresher")
    if existing is not None:
        return existing
    # Loaded here, not at import: a web process never reads a calendar, and starts faster without
    # icalendar, the HTTP client and the YAML loader.
    from calendars.pool import ExpansionPool
    from config.reload import ConfigWatcher, Reloaded
    from coverage.refresh import Refresher

    data_dir = Path(app.config["RELEVE_DATA_DIR"])
    refresher = Refresher(app.extensions["releve.db"], cache_dir=data_dir / "calendars",
                          pool=ExpansionPool(processes=processes))
    refresher.after_refresh.append(app.extensions["releve.snapshots"].expire)
    settings: Settings | None = app.config["RELEVE_SETTINGS"]
    watcher = None
    if settings is not None:
        refresher.use(Reloaded(settings, tuple(app.config.get("RELEVE_CONFIG_PROBLEMS", ()))))
    else:
        watcher = ConfigWatcher(Path(app.config["RELEVE_CONFIG_PATH"]))
    app.extensions["releve.refresher"] = refresher
    app.extensions["releve.watcher"] = watcher
    return refresher


def reload_config(app: Flask) -> bool:
    """Take the configuration again when its files changed and settled; True when it did."""
    watcher: ConfigWatcher | None = app.extensions.get("releve.watcher")
    refresher: Refresher | None = app.extensions.get("releve.refresher")
    if watcher is None or refresher is None:
        return False
    loaded = watcher.poll()
    if loaded is None:
        return False
    from config.reload import merge

    refresher.use(merge(refresher.settings, loaded))
    return True


def _read_first(app: Flask, refresher: Refresher, found: Snapshots) -> None:
    """Read the calendars at the first use of the practices (a single process, the tests). In a
    single process, the worker's jobs then run in the background (routing.flask starts them).
    When the database cannot take them yet, the read is tried again at a later use, at most every
    FIRST_READ_RETRY seconds, and the webhooks meanwhile answer through the fallback."""
    done = threading.Event()
    lock = threading.Lock()
    tried = [-1e18]

    def first() -> None:
        if done.is_set() or time.monotonic() - tried[0] < FIRST_READ_RETRY:
            return
        if not lock.acquire(blocking=False):
            return  # another request is reading them: this one goes on with what is stored
        try:
            if done.is_set():
                return
            tried[0] = time.monotonic()
            reload_config(app)
            refresher.refresh(app.config["RELEVE_CLOCK"]())
            done.set()
        except StoreUnavailable as exc:
            logger.error("the calendars could not be stored (%s): tried again in %g s", exc, FIRST_READ_RETRY)
        finally:
            lock.release()

    found.before_use.append(first)


def snapshots() -> Snapshots:
    """The practices of the current app, as the worker stored them."""
    found: Snapshots = current_app.extensions["releve.snapshots"]
    return found


def refresher() -> Refresher | None:
    found: Refresher | None = current_app.extensions.get("releve.refresher")
    return found


def contact_log() -> ContactLog:
    log: ContactLog = current_app.extensions["releve.contact_log"]
    return log


def store() -> Store:
    found: Store = current_app.extensions["releve.db"]
    return found


class Recordings(Protocol):
    """Where voicemails are kept (Twilio; the routing package gives the real one at wiring)."""

    def fetch_recording(self, sid: str) -> tuple[bytes, str] | None: ...


def recordings() -> Recordings:
    found: Recordings = current_app.extensions["releve.transports"].recordings
    return found
