"""Loading the settings into a Flask app, and the `config check` command."""
from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from config.env import config_path
from config.errors import ConfigError
from config.loader import load_settings
from config.settings import Settings

logger = logging.getLogger(__name__)


def init_app(app: Flask, settings: Settings | None = None) -> None:
    """Put the settings (or, when the file is broken, its problems) in app.config."""
    problems: tuple[Any, ...] = ()
    if settings is None:
        path = config_path()
        try:
            settings = load_settings(path)
        except ConfigError as exc:
            # The app still starts: its home page and `config check` show every problem.
            problems = exc.problems
            logger.error("configuration %s cannot be used:\n%s", path, exc)
    app.config["RELEVE_SETTINGS"] = settings
    app.config["RELEVE_CONFIG_PROBLEMS"] = problems
    app.config.setdefault("RELEVE_CLOCK", lambda: datetime.now(UTC))
    app.cli.add_command(config_cli)


@click.group("config", cls=AppGroup, help="Check the configuration.")
def config_cli() -> None:
    pass


@config_cli.command("check")
def check_command() -> None:
    """Validate the configuration and read every calendar; list all problems; exit 1 on any error."""
    from coverage.registry import Registry  # the check reads calendars as the app would

    path = config_path()
    click.echo(f"configuration: {path}")
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=not problem.is_warning)
        errors = sum(1 for p in exc.problems if not p.is_warning)
        click.echo(f"{errors} error(s): nothing else was checked; fix these first.", err=True)
        sys.exit(1)
    click.echo(f"  {len(settings.practices)} practice(s), {len(settings.offices)} covering office(s)")
    registry = Registry(settings)
    registry.refresh(current_app.config["RELEVE_CLOCK"]())
    errors = 0
    for state in registry.states():
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
    from routing.texts import length_warnings  # texts are sent by routing; their length is checked here

    for too_long in length_warnings(settings.practices, settings.offices):
        click.echo(f"warning: {too_long}")
    for office in settings.offices.values():
        if not office.sms and not office.email:
            click.echo(f"warning: office {office.id} has neither sms nor email: it cannot be briefed, and texts "
                       "forwarded to it are lost to it. Add an email (briefings) or an sms number (texts).")
    for practice in settings.practices:
        if not practice.sms and not practice.email:
            click.echo(f"warning: practice {practice.id} has neither sms nor email: texts received while it is "
                       "open are stored but not forwarded, and it gets no follow-up list. Add an email.")
    if errors:
        click.echo(f"{errors} error(s).", err=True)
        sys.exit(1)
    click.echo("configuration and calendars are usable.")
