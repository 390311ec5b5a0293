"""The coverage registry inside the Flask app: created once, refreshed in the background."""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app

import coverage.contacts  # noqa: F401 - declares the contact log tables before they are created
from config.env import config_path
from coverage.database import database_url, make_engine
from coverage.links import secret_key
from coverage.registry import Registry
from coverage.wording import format_moment, format_phone

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Create the registry; the web process refreshes it on a timer started at its first request."""
    # The app's config (tests), else RELEVE_DATA_DIR as the README documents it (the scheduler
    # process and the web processes of a deployment must share one folder), else Flask's instance/.
    data_dir = Path(app.config.get("RELEVE_DATA_DIR") or os.environ.get("RELEVE_DATA_DIR") or app.instance_path)
    registry = Registry(
        settings=app.config["RELEVE_SETTINGS"],
        cache_dir=data_dir / "calendars",
        config_problems=app.config["RELEVE_CONFIG_PROBLEMS"],
    )
    app.extensions["releve.registry"] = registry
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(data_dir)
    settings = app.config["RELEVE_SETTINGS"]
    app.config.setdefault("RELEVE_BASE_URL", (settings.service.public_url if settings else None)
                          or os.environ.get("RELEVE_BASE_URL") or "http://127.0.0.1:5000")
    app.jinja_env.globals.update(format_phone=format_phone, format_moment=format_moment)
    app.jinja_env.filters["format_phone"] = format_phone
    app.extensions["releve.db"] = make_engine(app.config.get("RELEVE_DATABASE_URL") or database_url(data_dir))
    started = threading.Event()

    @app.before_request
    def _start_refresher() -> None:
        if started.is_set() or not app.config.get("RELEVE_BACKGROUND_REFRESH", True):
            return
        started.set()
        thread = threading.Thread(target=_refresh_forever, name="releve-refresh", daemon=True,
                                  args=(registry, app.config["RELEVE_CLOCK"], config_path()))
        thread.start()


def get_registry() -> Registry:
    """The registry of the current app, loaded at least once."""
    registry: Registry = current_app.extensions["releve.registry"]
    if not registry.is_loaded:
        registry.refresh(current_app.config["RELEVE_CLOCK"]())
    return registry


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
