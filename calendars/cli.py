"""`calendars show`: the closures Relève reads from any .ics file or address.

For a practice checking its own calendar before relying on it. Uses click only (no Flask), so
the calendars package stays free of the web app.
"""
from __future__ import annotations

import json
import sys
import zoneinfo
from datetime import datetime, time, timedelta

import click

from calendars.errors import CalendarError
from calendars.model import CalendarReading


@click.group("calendars", help="Read calendars as Relève reads them.")
def calendars_cli() -> None:
    pass


@calendars_cli.command("show")
@click.argument("source")
@click.option("--tz", "zone", help="Time zone to read floating times in and to show times in "
              "(default: the calendar's X-WR-TIMEZONE, else UTC).")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: today).")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Day after the last (default: 90 days on).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per closure.")
def show_command(source: str, zone: str | None, first: datetime | None, last: datetime | None, as_json: bool) -> None:
    """List the closures in SOURCE, a .ics file or an https:// or webcal:// address."""
    from calendars.parse import read_calendar  # loaded by this command, not by the app that lists it
    from calendars.sources import read_source

    try:
        data = read_source(source)
        tz = _zone(zone, data)
        start = datetime.combine((first or datetime.now(tz)).date(), time(0), tz)
        end = datetime.combine(last.date(), time(0), tz) if last else start + timedelta(days=90)
        if end <= start:
            raise click.BadParameter("--to must come after --from", param_hint="--to")
        reading = read_calendar(data, tz=tz, start=start, end=end, source=source)
    except CalendarError as exc:
        click.echo(f"error: {exc.source}: {exc.message}" + (f"\n  fix: {exc.fix}" if exc.fix else ""), err=True)
        sys.exit(1)
    for problem in reading.problems:
        click.echo(f"warning: {problem}", err=True)
    if as_json:
        click.echo(json.dumps(_as_json(reading), ensure_ascii=False, indent=2))
        return
    click.echo(f"{len(reading.closures)} closure(s) from {start:%Y-%m-%d} to {end:%Y-%m-%d}, times in {tz.key}:")
    for closure in reading.closures:
        span = (f"{closure.start:%Y-%m-%d}" + (f" to {closure.end - timedelta(days=1):%Y-%m-%d}"
                if closure.end - closure.start > timedelta(days=1) else "")
                if closure.is_all_day else f"{closure.start:%Y-%m-%d %H:%M} to {closure.end:%Y-%m-%d %H:%M}")
        offices = f"  (covered by: {', '.join(closure.offices)})" if closure.offices else ""
        click.echo(f"  {span}  {closure.summary or '(no title)'}{offices}")


def _zone(name: str | None, data: bytes) -> zoneinfo.ZoneInfo:
    if name is None:
        import icalendar

        try:
            name = str(icalendar.Calendar.from_ical(data).get("X-WR-TIMEZONE") or "UTC")
        except ValueError:
            name = "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f'unknown time zone "{name}"; use a name such as Europe/Paris',
                                 param_hint="--tz") from None


def _as_json(reading: CalendarReading) -> list[dict[str, object]]:
    return [
        {
            "start": c.start.isoformat(),
            "end": c.end.isoformat(),
            "summary": c.summary,
            "uid": c.uid,
            "all_day": c.is_all_day,
            "offices": list(c.offices),
        }
        for c in reading.closures
    ]
