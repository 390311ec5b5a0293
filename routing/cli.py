"""`outbox list` and `outbox deliver`: the messages Relève sent, queued or kept locally."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from coverage.store.outbox import recent
from routing.outbound import deliver_due

outbox_cli = AppGroup("outbox", help="Outbound texts and emails.")


@outbox_cli.command("list")
@click.option("--limit", default=30, show_default=True, type=click.IntRange(1, 1000))
def list_command(limit: int) -> None:
    """The latest messages: kept in the local outbox, queued, sent, delivered or failed."""
    with current_app.extensions["releve.db"].begin() as connection:
        rows = recent(connection, limit)
    if not rows:
        click.echo("no message yet")
    for row in rows:
        when = row.created_at.strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"{when}  {row.state:9}  {row.kind:5}  {row.purpose:10}  to {row.recipient}")
        if row.subject:
            click.echo(f"    subject: {row.subject}")
        click.echo(f"    {row.body}")
        if row.last_error:
            click.echo(f"    error: {row.last_error}")


@outbox_cli.command("deliver")
def deliver_command() -> None:
    """Send what is due now (the web processes do it on their own; this is for a cron or a check)."""
    count = deliver_due(current_app.extensions["releve.db"], current_app.extensions["releve.transports"],
                        current_app.config["RELEVE_CLOCK"])
    click.echo(f"{count} message(s) handled")
