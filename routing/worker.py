"""The worker (the scheduler process): `flask --app app scheduler run`.

One process runs the time-driven jobs: reading calendars, queuing notices, raising alerts, delivering messages,
handling texts left unhandled, replaying spools that stopped processes left, and, daily, deleting
what is past the retention period.
Each job is a plain function of `now` (tests call them directly); APScheduler only calls them on
time. Every job has a fixed id and replace_existing=True, and every notice and message is claimed
in the database, so a second scheduler started by mistake sends nothing twice.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]
from flask import Flask, current_app
from flask.cli import AppGroup

from coverage.alert_job import run_alerts
from coverage.flask import CONFIG_POLL_SECONDS, contact_log, make_refresher, reload_config, snapshots
from coverage.notice_job import PracticeNow, run_notices
from coverage.pages import links_for
from coverage.store import StoreUnavailable, retention
from routing.outbound import deliver_due
from routing.retention import run_retention
from routing.sms import SWEEP_AFTER
from routing.transcribe import Transcriber, make_transcriber, transcribe_due
from routing.urgent import links_of, sweep_urgent

if TYPE_CHECKING:
    from coverage.refresh import Report

logger = logging.getLogger(__name__)
Job = TypeVar("Job", bound=Callable[..., Any])


def job(function: Job) -> Job:
    """A job is an edge: a database that cannot be used now is said in one line (the job runs again
    at its next turn), anything else is logged with its traceback; neither stops the worker."""

    @wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except StoreUnavailable as exc:
            logger.error("job %s did not run: the database cannot be used (%s); it runs again at its next turn",
                         function.__name__, exc)
        except Exception:  # noqa: BLE001 - one bad run must not stop the worker
            logger.exception("job %s failed; it runs again at its next turn", function.__name__)
        return None

    return guarded  # type: ignore[return-value]


@job
def refresh_calendars(app: Flask) -> Report | None:
    """Read every calendar again (after the configuration, when its files changed and settled)."""
    with app.app_context():
        refresher = make_refresher(app)
        reload_config(app)
        return refresher.refresh(app.config["RELEVE_CLOCK"]())


@job
def watch_config(app: Flask) -> Report | None:
    """A configuration that changed (and settled) is taken within seconds, with its calendars."""
    with app.app_context():
        if not reload_config(app):
            return None
        return make_refresher(app).refresh(app.config["RELEVE_CLOCK"]())


@job
def queue_notices(app: Flask) -> list[str]:
    with app.app_context():
        practices = [PracticeNow(view.settings, view.practice, view.schedule, view.calendars_known)
                     for view in snapshots().views()]
        return run_notices(app.extensions["releve.db"], practices,
                           links_for(app.config["RELEVE_BASE_URL"], app.config["SECRET_KEY"]),
                           app.config["RELEVE_CLOCK"]())


@job
def raise_alerts(app: Flask) -> list[str]:
    """Problems the practices and the administrator are told of, once, and once more when solved."""
    with app.app_context():
        return run_alerts(app.extensions["releve.db"], snapshots().views(), app.config.get("RELEVE_ADMIN_EMAIL"),
                          Path(app.config["RELEVE_DATA_DIR"]) / "spool", app.config["RELEVE_CLOCK"]())


@job
def deliver_messages(app: Flask) -> int:
    with app.app_context():
        return deliver_due(app.extensions["releve.db"], app.extensions["releve.transports"],
                           app.config["RELEVE_CLOCK"])


@job
def handle_texts(app: Flask) -> None:
    """Texts stored but left unhandled (a failure mid-way, a spool replayed late) are handled."""
    app.extensions["releve.sweep_texts"](SWEEP_AFTER)


def transcriber(app: Flask) -> Transcriber | None:
    """The host's transcription engine, made once for its settings (a local model loads once)."""
    with app.app_context():
        wanted = snapshots().directory().service.transcription
    made: tuple[object, Transcriber | None] | None = app.extensions.get("releve.transcriber")
    if made is None or made[0] != wanted:
        transports = app.extensions["releve.transports"]
        made = (wanted, make_transcriber(wanted, getattr(transports.sms, "client", None), transports.recordings))
        app.extensions["releve.transcriber"] = made
    return made[1]


@job
def transcribe_voicemails(app: Flask) -> int:
    """New voicemails are turned into words, and those with an urgent word are told at once."""
    engine = transcriber(app)
    if engine is None:
        return 0
    with app.app_context():
        return transcribe_due(app.extensions["releve.db"], snapshots(), engine, links_of(app),
                              app.config["RELEVE_CLOCK"])


@job
def tell_urgent_voicemails(app: Flask) -> int:
    """Possibly urgent voicemails nobody was told of yet (kept in a spool, or a failure) are told."""
    with app.app_context():
        return sweep_urgent(app.extensions["releve.db"], snapshots(), links_of(app), app.config["RELEVE_CLOCK"]())


@job
def delete_expired(app: Flask) -> retention.Deleted | None:
    """The daily retention run."""
    with app.app_context():
        period = snapshots().directory().service.retention
        return run_retention(app.extensions["releve.db"], app.extensions["releve.transports"].recordings,
                             period, app.config["RELEVE_CLOCK"]())


def build_scheduler(app: Flask, notices_seconds: float = 60, deliver_seconds: float = 30,
                    calendars_seconds: float | None = None) -> BackgroundScheduler:
    with app.app_context():
        refresher = make_refresher(app)
    refresh_seconds = calendars_seconds or (refresher.settings.service.refresh.total_seconds()
                                            if refresher.settings else 900)
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1,
                                                                "misfire_grace_time": 300})
    start = datetime.now(UTC)
    scheduler.add_job(refresh_calendars, "interval", seconds=refresh_seconds, args=[app], id="calendars",
                      replace_existing=True, next_run_time=start)
    scheduler.add_job(watch_config, "interval", seconds=CONFIG_POLL_SECONDS, args=[app], id="config",
                      replace_existing=True)
    scheduler.add_job(queue_notices, "interval", seconds=notices_seconds, args=[app], id="notices",
                      replace_existing=True, next_run_time=start)
    scheduler.add_job(raise_alerts, "interval", seconds=max(notices_seconds, 300.0), args=[app], id="alerts",
                      replace_existing=True)
    scheduler.add_job(deliver_messages, "interval", seconds=deliver_seconds, args=[app], id="deliver",
                      replace_existing=True, next_run_time=start)
    scheduler.add_job(handle_texts, "interval", seconds=60, args=[app], id="texts", replace_existing=True,
                      next_run_time=start)
    scheduler.add_job(transcribe_voicemails, "interval", seconds=min(deliver_seconds, 15.0), args=[app],
                      id="transcripts", replace_existing=True, next_run_time=start)
    scheduler.add_job(tell_urgent_voicemails, "interval", seconds=deliver_seconds, args=[app], id="urgent",
                      replace_existing=True, next_run_time=start)
    scheduler.add_job(delete_expired, "interval", hours=24, args=[app], id="retention", replace_existing=True,
                      next_run_time=start)
    return scheduler


scheduler_cli = AppGroup("scheduler", help="The process that sends notices on time.")


@scheduler_cli.command("run")
@click.option("--every", "notices_seconds", default=60.0, show_default=True, help="Seconds between notice runs.")
@click.option("--for", "duration", type=float, default=None, help="Stop after this many seconds (tests, checks).")
@click.option("--calendars-every", "calendars_seconds", type=click.FloatRange(1.0), default=None,
              help="Seconds between calendar reads (default: service.refresh_minutes).")
def run_command(notices_seconds: float, duration: float | None, calendars_seconds: float | None) -> None:
    """Run the scheduler until stopped (Ctrl-C, SIGTERM) or for --for seconds."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    make_refresher(app, processes=2)  # calendars expanded in two processes, each with its budget
    refresh_calendars(app)  # the first read before the first notice run
    contact_log().start()  # spools left by web processes that stopped are replayed
    scheduler = build_scheduler(app, notices_seconds, min(notices_seconds, 30.0), calendars_seconds)
    stop = threading.Event()
    for sign in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sign, lambda *_: stop.set())
    scheduler.start()
    click.echo(f"scheduler running: notices every {notices_seconds:g} s, messages every "
               f"{min(notices_seconds, 30.0):g} s, calendars every {scheduler.get_job('calendars').trigger.interval}")
    ends = time.monotonic() + duration if duration else None
    while not stop.wait(0.2):
        if ends is not None and time.monotonic() >= ends:
            break
    scheduler.shutdown(wait=True)
    click.echo("scheduler stopped")
