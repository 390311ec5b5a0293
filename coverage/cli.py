"""`coverage plan` and `coverage at`: the coverage plan and the answer at one instant."""
from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from config import ConfigError
from config.settings import Practice, Settings, Transcription
from coverage.plan import coverage_plan
from coverage.schedule import Answer
from coverage.snapshots import PracticeView, Snapshots
from coverage.store import Store, StoreUnavailable
from coverage.store.engine import current_revision, head_revision
from coverage.wording.dates import format_entry_dates, format_moment
from coverage.wording.labels import label
from coverage.wording.numbers import format_phone
from coverage.wording.texts import length_warnings


@click.group("coverage", cls=AppGroup, help="Who covers when.")
def coverage_cli() -> None:
    pass


@coverage_cli.command("plan")
@click.option("--practice", "practice_id", help="One practice's id (default: all).")
@click.option("--days", default=42, show_default=True, type=click.IntRange(1, 5 * 366),
              help="How many days ahead.")
def plan_command(practice_id: str | None, days: int) -> None:
    """The upcoming closures and who covers each."""
    now = current_app.config["RELEVE_CLOCK"]()
    found = _read(now)
    for state in _states(found, practice_id):
        practice = state.practice
        language = practice.language
        click.echo(f"{practice.name.written} ({practice.id}), {label('plan', language).lower()}:")
        plan = coverage_plan(state.schedule, now, now + timedelta(days=days))
        if not plan:
            click.echo(f"  {label('no_closure', language)}")
        for entry in plan:
            title = entry.first.summary or label("closure", language)
            click.echo(f"  {title}: {format_entry_dates(entry, language)}")
            click.echo(f"    {label('covered_by', language)}: {_chain(state.settings, entry.chain, language)}")
            click.echo(f"    {label('reopens', language)}: {_reopening(entry.reopens_at, language)}")
        _warn_about(state)


@coverage_cli.command("at")
@click.argument("when")
@click.option("--practice", "practice_id", help="One practice's id (default: all).")
def at_command(when: str, practice_id: str | None) -> None:
    """The answer at WHEN: an ISO date-time (2026-12-28T10:00, local time unless an offset is
    given) or "now"."""
    now = current_app.config["RELEVE_CLOCK"]()
    found = _read(now)
    for state in _states(found, practice_id):
        practice = state.practice
        instant = _parse_when(when, practice, now)
        if abs(instant.timestamp() - now.timestamp()) > 300 * 86400:
            found = _read(instant)  # far from now: the calendars read around that instant instead
            state = found.view(practice.id)
        answer = found.answer(practice.id, instant)
        click.echo(f"{practice.name.written} ({practice.id}), {format_moment(instant, practice.language)} "
                   f"({instant.isoformat()}):")
        click.echo(f"  {_describe(answer, practice)}")
        if not answer.is_open:
            click.echo(f"  {label('covered_by', practice.language)}: {_chain(state.settings, answer.chain, practice.language)}")
            click.echo(f"  {label('reopens', practice.language)}: {_reopening(answer.reopens_at, practice.language)}")
        _warn_about(state)


def read_now(app: Flask, at: datetime, settings: Settings | None = None) -> Snapshots:
    """The practices read as of `at`, for the command line: the configuration and every calendar,
    read as the worker reads them, into a throwaway database (the real one is left alone). The
    worker's copies on disk stand in for a calendar that cannot be read now. The closings set by
    hand on the practice's page are read from the real database."""
    # Loaded here: the web processes that register these commands never read calendars.
    from calendars.pool import ExpansionPool
    from config import load_settings
    from config.reload import Reloaded
    from coverage.refresh import Refresher

    if settings is None:
        settings = app.config["RELEVE_SETTINGS"] or load_settings(app.config["RELEVE_CONFIG_PATH"])
    store = Store("sqlite://")
    refresher = Refresher(store, cache_dir=Path(app.config["RELEVE_DATA_DIR"]) / "calendars",
                          pool=ExpansionPool(processes=0))
    refresher.use(Reloaded(settings))
    refresher.refresh(at)
    # The closings set by hand (« Fermer maintenant ») are the real ones: a simulated call follows them.
    return Snapshots(store, closings_store=app.extensions["releve.db"], now=lambda: at)


def _read(at: datetime) -> Snapshots:
    try:
        return read_now(current_app._get_current_object(), at)  # type: ignore[attr-defined]
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("the configuration cannot be used: run `flask --app app config check`", err=True)
        sys.exit(1)


def _states(found: Snapshots, practice_id: str | None) -> list[PracticeView]:
    if practice_id is None:
        return found.views()
    try:
        return [found.view(practice_id)]
    except KeyError:
        known = ", ".join(s.practice.id for s in found.views())
        raise click.BadParameter(f'no practice "{practice_id}" (known: {known})', param_hint="--practice") from None


def _parse_when(text: str, practice: Practice, now: datetime) -> datetime:
    if text.strip().lower() == "now":
        return now.astimezone(practice.timezone)
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f'"{text}" is not a date-time; write it as 2026-12-28T10:00', param_hint="WHEN") from None
    if parsed.tzinfo is None:
        # A time without an offset is the practice's wall-clock time, as a person would mean it.
        return parsed.replace(tzinfo=practice.timezone)
    return parsed.astimezone(practice.timezone)


def _describe(answer: Answer, practice: Practice) -> str:
    language = practice.language
    if answer.is_open:
        return label("open", language)
    reason = answer.reason or label("closure", language) if answer.closure else label("outside_hours", language)
    return f"{label('closed', language)}: {reason}"


def _chain(settings: Settings | None, chain: tuple[str, ...], language: str) -> str:
    assert settings is not None
    return f", {label('then', language)} ".join(f"{settings.offices[o].name.written} ({format_phone(settings.offices[o].phone)})" for o in chain)


def _reopening(instant: datetime | None, language: str) -> str:
    return format_moment(instant, language) if instant else label("no_reopening", language)


def _warn_about(state: PracticeView) -> None:
    for status in state.sources:
        if status.error:
            kept = "the last good copy stays in use" if status.is_in_use else "no copy of it is in use"
            click.echo(f"  error: {status.source.label}: {status.error.message} ({kept})", err=True)
    for problem in state.problems:
        click.echo(f"  warning: {problem}", err=True)


config_cli = AppGroup("config", help="Check the configuration.")


@config_cli.command("check")
def check_command() -> None:
    """Validate the configuration and read every calendar; list all problems; exit 1 on any error."""
    path = current_app.config["RELEVE_CONFIG_PATH"]
    click.echo(f"configuration: {path}")
    from config import load_settings

    try:
        settings = load_settings(path)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=not problem.is_warning)
        errors = sum(1 for p in exc.problems if not p.is_warning)
        click.echo(f"{errors} error(s): nothing else was checked; fix these first.", err=True)
        sys.exit(1)
    click.echo(f"  {len(settings.practices)} practice(s), {len(settings.offices)} covering office(s)")
    click.echo(f"  retention: calls, texts and messages are deleted {settings.service.retention.days} days after "
               "they came (service.retention_days); recordings are deleted at Twilio with them")
    transcription = settings.service.transcription
    click.echo(f"  voicemails transcribed: {_transcription_line(transcription)}")
    errors = 0
    if transcription.engine == "local" and importlib.util.find_spec("faster_whisper") is None:
        errors += 1
        click.echo("  error: service.transcription.engine is local but faster-whisper is not installed: "
                   "pip install -r requirements-transcribe.txt (or make whisper-model)", err=True)
    found = read_now(current_app._get_current_object(), current_app.config["RELEVE_CLOCK"](),  # type: ignore[attr-defined]
                     settings)
    for state in found.views():
        click.echo(f"{state.practice.id}:")
        for status in state.sources:
            if status.error:
                errors += 1
                click.echo(f"  error: {status.source.label}: {status.error.message}"
                           + (f"\n    fix: {status.error.fix}" if status.error.fix else ""), err=True)
            else:
                click.echo(f"  ok: {status.source.label}: {status.closures} closure(s) read")
        for warning in state.problems:
            click.echo(f"  warning: {warning}")
    for too_long in length_warnings(settings.practices, settings.offices):
        click.echo(f"warning: {too_long}")
    releve_numbers = {number for practice in settings.practices for number in practice.numbers}
    for office in settings.offices.values():
        if not office.sms and not office.email:
            click.echo(f"warning: office {office.id} has neither sms nor email: it cannot be briefed, and texts "
                       "forwarded to it are lost to it. Add an email (briefings) or an sms number (texts).")
        if office.sms in releve_numbers:
            click.echo(f"warning: office {office.id}'s sms is a Relève number: texts are never forwarded to it "
                       "(two practices covering each other would loop). Give the office's staff mobile instead.")
    for practice in settings.practices:
        if not practice.sms and not practice.email:
            click.echo(f"warning: practice {practice.id} has neither sms nor email: texts received while it is "
                       "open are stored but not forwarded, and it gets no follow-up list. Add an email.")
    if errors:
        click.echo(f"{errors} error(s).", err=True)
        sys.exit(1)
    click.echo("configuration and calendars are usable.")


def _transcription_line(transcription: Transcription) -> str:
    if transcription.engine == "twilio":
        services = ", ".join(f"{language} {sid}" for language, sid in transcription.services.items())
        return f"by Twilio's Conversational Intelligence ({services}); Twilio is not an HDS-certified host"
    if transcription.engine == "local":
        return f"on this host by faster-whisper, model {transcription.model}"
    return "no (service.transcription.engine: none); a caller may still press 1 to flag a voicemail urgent"


db_cli = AppGroup("db", help="The database's schema.")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Apply the migrations the database lacks (run before starting a new release)."""
    found: Store = current_app.extensions["releve.db"]
    target = Store(found.url, busy_timeout=30.0, auto_migrate=True)
    try:
        with target.begin() as connection:
            click.echo(f"database schema at revision {current_revision(connection)} (newest: {head_revision()})")
    except StoreUnavailable as exc:
        click.echo(f"the database cannot be upgraded: {exc}", err=True)
        sys.exit(1)
    finally:
        target.dispose()


@db_cli.command("current")
def current_command() -> None:
    """Print the database's schema revision and the newest one."""
    found: Store = current_app.extensions["releve.db"]
    try:
        revision = found.revision()
    except StoreUnavailable as exc:
        click.echo(f"the database cannot be read: {exc}", err=True)
        sys.exit(1)
    click.echo(f"database schema at revision {revision or '(none)'}; the code needs {head_revision()}")
