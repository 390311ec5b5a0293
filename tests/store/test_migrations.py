"""The schema changes only through migrations: an empty database upgraded to the newest revision
has exactly the tables of the models, and a database of the release before migrations upgrades
with its data intact. Both on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from coverage.store import Store, contacts
from coverage.store.engine import current_revision, head_revision
from coverage.store.tables import callbacks, calls, messages, metadata, notices, opt_outs, texts
from tests.conftest import POSTGRES_URL

HERE = Path(__file__).resolve().parent


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with nothing in it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'releve.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server (TEST_POSTGRES_URL); .ci/run starts one")
    name = f"releve_migration_{secrets.token_hex(4)}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        server.dispose()


def _schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                         metadata))
    finally:
        engine.dispose()


def test_an_empty_database_upgraded_to_the_newest_revision_has_the_schema_of_the_models(empty_database):
    store = Store(empty_database)
    with store.begin() as connection:
        assert current_revision(connection) == head_revision()
    store.dispose()

    assert _schema_differences(empty_database) == []


def test_a_database_of_the_previous_release_upgrades_with_its_data_intact(empty_database):
    dialect = "sqlite" if empty_database.startswith("sqlite") else "postgresql"
    dump = (HERE / f"release-6.{dialect}.sql").read_text(encoding="utf-8")
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        for statement in _statements(dump):
            connection.execute(text(statement))
    engine.dispose()

    store = Store(empty_database)
    with store.begin() as connection:
        assert current_revision(connection) == head_revision()
        call = connection.execute(select(calls)).one()
        text_row = connection.execute(select(texts)).one()
        message = connection.execute(select(messages)).one()
        assert (call.call_sid, call.caller, call.outcome, call.recording_seconds, call.duration_seconds) == (
            "CAold1", "+33698765432", "voicemail", 23, 80)
        assert call.recording_url.endswith("/Recordings/RE1") and call.started_at == datetime(2026, 11, 20, 9, 30,
                                                                                               tzinfo=UTC)
        assert (text_row.body, text_row.handling, text_row.forwarded_to) == ("J'ai mal aux dents", "forwarded",
                                                                             "+33612345678")
        assert (message.body, message.state, message.dedupe_key) == ("Le cabinet est fermé.", "queued", "auto_reply:x")
        assert connection.execute(select(notices.c.kind, notices.c.slot)).all() == [("briefing", "7d")]
        # The follow-up list's tick became a callback ticked off, by the follow-up link, then.
        tick = connection.execute(select(callbacks)).one()
        assert (tick.patient, tick.done_by, tick.undone_at) == ("+33698765432", "follow-up link", None)
        assert tick.covers_until == tick.done_at
        assert connection.execute(select(opt_outs.c.number)).scalars().all() == ["+33611111111"]
        # The new columns are there, and new rows go in after the old ones.
        contacts.apply(connection, contacts.CallStart("CAnew", "cabinet-dupont", "+33611223344", "+33186951234",
                                                      datetime(2026, 12, 1, 9, tzinfo=UTC), True, None, ()))
        assert [row.call_sid for row in connection.execute(select(calls).order_by(calls.c.id))] == ["CAold1", "CAnew"]
    store.dispose()

    assert _schema_differences(empty_database) == []


def _statements(dump: str) -> list[str]:
    lines = [line for line in dump.splitlines() if not line.startswith("--")]
    statements = [s.strip() for s in "\n".join(lines).split(";\n") if s.strip()]
    return [s.rstrip(";") for s in statements if s not in ("BEGIN TRANSACTION", "COMMIT")]


def test_the_revision_processes_compare_with_is_alembics_newest_migration():
    # A process checks the schema without loading Alembic; a migration added without moving
    # SCHEMA_REVISION would make every process migrate (or refuse) at each start.
    from coverage.store.engine import SCHEMA_REVISION

    assert SCHEMA_REVISION == head_revision()
