"""The alert job: what `coverage.alerts` finds wrong becomes alerts, and emails once when a
problem starts and once when it is solved, to the practice and to the host's administrator.

`run_alerts(store, views, admin_email, spool_folder, now)`: the worker calls it every minute.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Connection

from config.settings import Practice
from coverage.alerts import AHEAD, HOST, CalendarState, OpenAlert, Problem, changes, host_problems, practice_problems
from coverage.periods import coverage_periods
from coverage.snapshots import PracticeView
from coverage.store import Store, contacts, outbox
from coverage.store import alerts as alert_rows
from coverage.wording.dates import format_moment
from coverage.wording.labels import words
from coverage.wording.problems import calendar_error_text

logger = logging.getLogger(__name__)


def describe(problem: Problem, language: str) -> str:
    """The problem in words, in the practice's language."""
    w, facts = words(language), problem.facts
    when = {k: format_moment(datetime.fromisoformat(facts[k]), language) for k in ("since", "start") if k in facts}
    described: str = w[f"alert_{problem.kind}"].format(**{**facts, **when})
    return described


def spool_backlog(folder: Path | None) -> tuple[datetime | None, int]:
    """The oldest event waiting in any spool of the data folder, and how many wait."""
    oldest: datetime | None = None
    count = 0
    if folder is None or not folder.is_dir():
        return None, 0
    for path in folder.glob("*.jsonl"):
        try:
            with path.open("rb") as file:
                lines = file.read().splitlines()
        except OSError:
            continue
        waiting = [line for line in lines if line.strip()]
        count += len(waiting)
        if waiting:
            try:
                at = datetime.fromisoformat(json.loads(waiting[0])["at"])
            except (ValueError, KeyError, TypeError):
                continue
            if oldest is None or at.timestamp() < oldest.timestamp():
                oldest = at
    return oldest, count


def run_alerts(store: Store, views: Iterable[PracticeView], admin_email: str | None, spool_folder: Path | None,
               now: datetime) -> list[str]:
    done: list[str] = []
    with store.begin() as connection:
        failing = {str(row.practice_id): int(row._mapping["count"]) for row in outbox.failing(connection, now - timedelta(days=1))}
        problems: list[Problem] = []
        languages: dict[str, Practice] = {}
        views = list(views)
        offices = {o for view in views for o in (*view.practice.closure_chain, *view.practice.after_hours_chain)}
        unreachable = frozenset(contacts.unreachable_offices(connection, offices, now - timedelta(days=7)))
        for view in views:
            languages[view.practice.id] = view.practice
            calendars = [CalendarState(s.source.label, calendar_error_text(s.error, view.practice.language) if s.error else None,
                                       s.error_since if s.error else None) for s in view.sources]
            periods = coverage_periods(view.schedule, now, now + AHEAD)
            problems += practice_problems(view.practice, view.settings.offices, calendars, periods,
                                          failing.get(view.practice.id, 0), view.settings.service.calendar_alert, now,
                                          unreachable)
        since, waiting = spool_backlog(spool_folder)
        problems += host_problems(since, waiting, now)
        opened = [OpenAlert(r.id, r.practice_id, r.key) for r in alert_rows.open_alerts(connection)]
        new, solved = changes(opened, problems, set(languages) | {HOST})
        for problem in new:
            told = languages.get(problem.practice_id)
            detail = describe(problem, told.language if told else "fr-FR")
            alert_rows.open_alert(connection, problem.practice_id, problem.key, detail, now)
            _tell(connection, told, admin_email, detail, solved=False, now=now)
            done.append(f"alert: {problem.practice_id or 'host'}: {problem.key}")
        for alert in solved:
            if alert_rows.resolve(connection, alert.id, now):
                _tell(connection, languages.get(alert.practice_id), admin_email, alert_rows.detail(connection, alert.id),
                      solved=True, now=now)
                done.append(f"solved: {alert.practice_id or 'host'}: {alert.key}")
    for line in done:
        logger.log(logging.WARNING if line.startswith("alert") else logging.INFO, line)
    return done


def _tell(connection: Connection, practice: Practice | None, admin_email: str | None, detail: str, *,
          solved: bool, now: datetime) -> None:
    language = practice.language if practice else "fr-FR"
    w = words(language)
    subject = w["alert_solved_subject" if solved else "alert_subject"].format(
        practice=practice.name.written if practice else "Relève", what=detail[:150])
    text = (w["alert_solved_text"] if solved else w["alert_text"]).format(detail=detail)
    recipients = [r for r in (practice.email if practice else None, admin_email) if r]
    for recipient in dict.fromkeys(recipients):
        outbox.queue_email(connection, practice_id=practice.id if practice else HOST, purpose="alert",
                           to=recipient, subject=subject, text=text, html=None, at=now)
    if practice is not None and not practice.email and practice.sms:
        outbox.queue_sms(connection, practice_id=practice.id, purpose="alert", sender=practice.numbers[0],
                         to=practice.sms, body=f"Relève : {detail}"[:600], at=now)
