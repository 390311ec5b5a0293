"""Calendars read as the worker reads them (`Refresher`), practices seen as a web process sees
them (`Snapshots`), over one database: the two halves of Relève, joined for the tests."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import Flask

from calendars.sources import read_source
from config.errors import Problem
from config.loader import load_config
from config.reload import Reloaded, merge
from config.settings import Settings
from coverage.refresh import Refresher, Report
from coverage.schedule import Answer
from coverage.snapshots import PracticeView, Snapshots
from coverage.store import Store


class Reading:
    """`refresh(now)` reads the calendars; `answer`, `state`, `states` look at what was stored."""

    def __init__(self, settings: Settings | None = None, cache_dir: Path | None = None, *,
                 refresher: Refresher | None = None, snapshots: Snapshots | None = None) -> None:
        store = refresher.store if refresher else Store("sqlite://")
        self.refresher = refresher or Refresher(store, cache_dir=cache_dir)
        if settings is not None:
            self.refresher.use_settings(settings)
        self.snapshots = snapshots or Snapshots(store)
        if snapshots is None:
            self.refresher.after_refresh.append(self.snapshots.expire)

    @property
    def read(self) -> Callable[[str], bytes]:
        """How calendars are read: as the worker reads them unless a test sets its own."""
        return self.refresher.read or read_source

    @read.setter
    def read(self, read: Callable[[str], bytes] | None) -> None:
        self.refresher.read = read

    @property
    def settings(self) -> Settings | None:
        return self.refresher.settings

    def refresh(self, now: datetime) -> Report:
        return self.refresher.refresh(now)

    def reload_config(self, path: Path, now: datetime) -> Reloaded:
        """The reload path, as the worker takes it: the file read again and merged, then the calendars."""
        reloaded = merge(self.refresher.settings, load_config(path))
        self.refresher.use(reloaded)
        self.refresh(now)
        return reloaded

    @property
    def config_problems(self) -> tuple[Problem, ...]:
        return self.refresher.config_problems

    def answer(self, practice_id: str, at: datetime) -> Answer:
        return self.snapshots.answer(practice_id, at)

    def state(self, practice_id: str) -> PracticeView:
        return self.snapshots.view(practice_id)

    def states(self) -> list[PracticeView]:
        return self.snapshots.views()


def reading_of(app: Flask) -> Reading:
    """The app's own refresher and snapshots (an app made with settings reads its calendars)."""
    refresher: Refresher = app.extensions["releve.refresher"]
    return Reading(refresher=refresher, snapshots=app.extensions["releve.snapshots"])
