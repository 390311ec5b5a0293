"""Coverage inside the Flask app: the store, the contact log and its spool, the registry of
practices, the key that signs links."""
from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app

from config.env import Environment
from coverage.links import secret_key
from coverage.registry import Registry
from coverage.store import Store
from coverage.store.spool import ContactLog
from coverage.wording.dates import format_moment
from coverage.wording.numbers import format_phone

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """The store (opened at first use, so the app starts while the database is down), the contact
    log, the registry; the web process refreshes the registry on a timer started at its first request."""
    data_dir = Path(app.config["RELEVE_DATA_DIR"])
    environment: Environment = app.config["RELEVE_ENVIRONMENT"]
    store = Store(app.config.get("RELEVE_DATABASE_URL") or environment.database(data_dir),
                  busy_timeout=app.config.get("RELEVE_DATABASE_TIMEOUT", 2.0),
                  auto_migrate=app.config["RELEVE_AUTO_MIGRATE"])
    app.extensions["releve.db"] = store
    log = ContactLog(store, data_dir / "spool")
    app.extensions["releve.contact_log"] = log
    registry = Registry(
        settings=app.config["RELEVE_SETTINGS"],
        cache_dir=data_dir / "calendars",
        config_problems=app.config["RELEVE_CONFIG_PROBLEMS"],
    )
    app.extensions["releve.registry"] = registry
    if not app.config.get("SECRET_KEY"):
        try:
            app.config["SECRET_KEY"] = secret_key(data_dir)
        except OSError as exc:
            # A read-only or full data folder: the app still answers calls, but links it signs
            # now stop working at its restart.
            logger.error("no secret key could be kept in %s (%s): set RELEVE_SECRET_KEY; links signed now "
                         "will not work after a restart", data_dir, exc.strerror or exc)
            app.config["SECRET_KEY"] = secrets.token_urlsafe(32)
    settings = app.config["RELEVE_SETTINGS"]
    app.config["RELEVE_BASE_URL"] = ((settings.service.public_url if settings else None)
                                     or app.config.get("RELEVE_BASE_URL") or "http://127.0.0.1:5000")
    app.jinja_env.globals.update(format_phone=format_phone, format_moment=format_moment)
    app.jinja_env.filters["format_phone"] = format_phone
    started = threading.Event()

    @app.before_request
    def _start_background() -> None:
        if started.is_set():
            return
        started.set()
        if app.config.get("RELEVE_SPOOL_IN_BACKGROUND", not app.testing):
            log.start()  # a spool a previous process left is replayed now
        if app.config.get("RELEVE_BACKGROUND_REFRESH", True):
            thread = threading.Thread(target=_refresh_forever, name="releve-refresh", daemon=True,
                                      args=(registry, app.config["RELEVE_CLOCK"], app.config["RELEVE_CONFIG_PATH"]))
            thread.start()


def get_registry() -> Registry:
    """The registry of the current app, loaded at least once."""
    registry: Registry = current_app.extensions["releve.registry"]
    if not registry.is_loaded:
        registry.refresh(current_app.config["RELEVE_CLOCK"]())
    return registry


def contact_log() -> ContactLog:
    log: ContactLog = current_app.extensions["releve.contact_log"]
    return log


def store() -> Store:
    found: Store = current_app.extensions["releve.db"]
    return found


def _refresh_forever(registry: Registry, clock: Callable[[], datetime], path: Path) -> None:
    """Re-read the calendars, and the configuration when its file changed, at the set interval."""
    last_mtime = _mtime(path)
    wake = threading.Event()
    while True:
        interval = registry.settings.service.refresh.total_seconds() if registry.settings else 60.0
        wake.wait(interval)
        try:
            mtime = _mtime(path)
            if mtime != last_mtime:
                last_mtime = mtime
                logger.info("configuration %s changed: reloading", path)
                if registry.reload_config(path, clock()):
                    continue
            registry.refresh(clock())
        except Exception:
            logger.exception("calendar refresh failed; the last good calendars stay in use")


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
