"""Fixtures shared by every test: a clean environment, the example settings, an app, a clock."""
from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from config import Settings, load_settings
from tests.mail import MailServer, free_port

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config" / "example" / "releve.yaml"
PRODUCER_CALENDARS = Path(__file__).resolve().parent / "calendars"


class Clock:
    """A settable clock for the app: `clock.now = …` moves time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's Twilio, SMTP or Relève variables."""
    for name in list(os.environ):
        if name.startswith(("TWILIO_", "SMTP_", "RELEVE_")):
            monkeypatch.delenv(name)


@pytest.fixture
def example_settings() -> Settings:
    return load_settings(EXAMPLE_CONFIG)


@pytest.fixture
def clock() -> Clock:
    # A Tuesday late in November 2026, before the example's year-end closure.
    return Clock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


def build_app(settings: Settings | None, data_dir: Path, clock: Clock, **overrides: Any) -> Flask:
    """An app as the tests want it: their clock, their data folder, no background threads."""
    return create_app(settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(data_dir),
                                 "RELEVE_BACKGROUND_REFRESH": False, **overrides})


@pytest.fixture
def app(example_settings: Settings, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    yield build_app(example_settings, tmp_path / "data", clock)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def producer_calendar() -> type[_Producers]:
    """Real-world exports, one per producer quirk: `producer_calendar.read("google")`."""
    return _Producers


class _Producers:
    @staticmethod
    def path(name: str) -> Path:
        return PRODUCER_CALENDARS / f"{name}.ics"

    @staticmethod
    def read(name: str) -> bytes:
        return (PRODUCER_CALENDARS / f"{name}.ics").read_bytes()


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    """A real SMTP server on 127.0.0.1 collecting the messages it receives."""
    server = MailServer()
    server.port = free_port()
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
