"""Fixtures shared by every test: a clean environment, the example settings, an app, a clock."""
from __future__ import annotations

import os
import re
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
from tests.browser import ADMIN_PASSWORD, ADMIN_USER
from tests.mail import MailServer, free_port

# Read before any test runs (the autouse fixture below clears the RELEVE_ variables, not this one):
# .ci/run starts a PostgreSQL server and names it here.
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "").strip()
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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The storage, webhook and scheduler tests (those with an app or a store) run against SQLite
    and against a real PostgreSQL server; page tests in Chromium run on SQLite only."""
    if "database_url" in metafunc.fixturenames:
        backends = ["sqlite"] if metafunc.definition.get_closest_marker("browser") else ["sqlite", "postgresql"]
        metafunc.parametrize("database_url", backends, indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for the SQLite file in the app's data folder, or the PostgreSQL server's URL (emptied
    after each test)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield None
        return
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL server (TEST_POSTGRES_URL); .ci/run starts one")
    yield POSTGRES_URL
    empty_postgres(POSTGRES_URL)


def empty_postgres(url: str) -> None:
    """Every table emptied, the schema kept: the next test starts on a new database, in effect."""
    from coverage.store import Store
    from coverage.store.tables import metadata

    store = Store(url)
    try:
        with store.begin() as connection:
            names = ", ".join(table.name for table in metadata.sorted_tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        store.dispose()


@pytest.fixture
def example_settings() -> Settings:
    return load_settings(EXAMPLE_CONFIG)


@pytest.fixture
def clock() -> Clock:
    # A Tuesday late in November 2026, before the example's year-end closure.
    return Clock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


def build_app(settings: Settings | None, data_dir: Path, clock: Clock, **overrides: Any) -> Flask:
    """An app as the tests want it: their clock, their data folder, an administrator, no
    background threads."""
    return create_app(settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(data_dir),
                                 "RELEVE_BACKGROUND_REFRESH": False, "RELEVE_ADMIN_USER": ADMIN_USER,
                                 "RELEVE_ADMIN_PASSWORD": ADMIN_PASSWORD, **overrides})


def sign_in(client: FlaskClient, user: str = ADMIN_USER, password: str = ADMIN_PASSWORD) -> Any:
    """Sign the test client in through the form (its CSRF token included)."""
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the sign-in page has no CSRF token"
    return client.post("/sign-in", data={"csrf_token": token.group(1), "user": user, "password": password})


@pytest.fixture
def app(example_settings: Settings, tmp_path: Path, clock: Clock, database_url: str | None) -> Iterator[Flask]:
    made = build_app(example_settings, tmp_path / "data", clock, RELEVE_DATABASE_URL=database_url)
    store = made.extensions["releve.db"]  # a test may take it away (the fallback needs none)
    yield made
    store.dispose()


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
