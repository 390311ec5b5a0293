"""Notices, on time and once: briefings before a closure, a notice when coverage starts and when
it ends, updates and cancellations when the calendar changes, and the follow-up list when the
practice reopens.

`run_notices(now)` is the whole job: the scheduler calls it every minute, the tests call it with
the `now` they want. Each notice is a row of `notices` written, with the message it queues, in
one transaction and under a unique key: a restart, a crash or two schedulers never send a notice
twice, and a notice missed while nothing ran goes out at the next run if it is still useful.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import render_template
from sqlalchemy.engine import Connection

from config.settings import Practice, Settings
from coverage.briefing import make_briefing
from coverage.followup import follow_up_list, summary
from coverage.hours import local_at
from coverage.periods import CoveragePeriod, coverage_periods
from coverage.registry import PracticeState, Registry
from coverage.store import Store, outbox
from coverage.store import notices as notice_rows
from coverage.wording.dates import format_kept_span, format_moment, format_span
from coverage.wording.labels import words
from coverage.wording.names import of_name

logger = logging.getLogger(__name__)

FOLLOW_UP_USEFUL = timedelta(days=7)
DAY_STARTS, DAY_ENDS = 8, 20  # local hours between which notices go to offices
END_NOTICE_USEFUL = timedelta(days=1)
TOLD = ("briefing", "update", "start")  # notices that tell an office the period's dates

@dataclass(frozen=True)
class Links:
    """Builds the signed links notices carry."""

    briefing: Callable[[Practice, str, CoveragePeriod], str]
    follow_up: Callable[[Practice, CoveragePeriod], str]


def run_notices(engine: Store, registry: Registry, links: Links, now: datetime) -> list[str]:
    """Queue every notice that is due and still useful; returns a line per notice queued."""
    settings = registry.settings
    if settings is None:
        return []
    done: list[str] = []
    for state in registry.states():
        practice = state.practice
        # Every period of the horizon, not only those whose briefings are due: a closure moved
        # weeks later is still known, and its offices get an update rather than a cancellation.
        ahead = max(settings.service.horizon, timedelta(days=max(practice.briefing_days, default=1) + 1))
        periods = coverage_periods(state.schedule, now - FOLLOW_UP_USEFUL - timedelta(days=1), now + ahead)
        with engine.begin() as connection:
            for period in periods:
                for office_id in period.recipients:
                    done += _office_notices(connection, settings, practice, office_id, period, links, now)
                done += _follow_up(connection, settings, practice, period, links, now)
            if _calendars_are_known(state):
                done += _cancellations(connection, settings, practice, periods, now)
    for line in done:
        logger.info("notice: %s", line)
    return done


def _calendars_are_known(state: PracticeState) -> bool:
    """A calendar never read is not a cancelled closure: no cancellation without every calendar."""
    return all(status.is_in_use for status in state.sources)


def _office_notices(connection: Connection, settings: Settings, practice: Practice, office_id: str,
                    period: CoveragePeriod, links: Links, now: datetime) -> list[str]:
    done = []
    if now.timestamp() >= period.end.timestamp():
        if now.timestamp() < (period.end + END_NOTICE_USEFUL).timestamp():
            done += _send(connection, settings, practice, office_id, period, "end", "", links, now)
        return done
    told = _last_told(connection, practice.id, office_id, period.key)
    if told is not None and told.version != period.version:
        done += _send(connection, settings, practice, office_id, period, "update", period.version, links, now)
    # period.start is in the practice's zone, so "days before" counts days on its wall clock: the
    # 7-day briefing of Monday 29 March 2027, 0:00 CEST, goes Monday 22 March, 0:00 CET (an hour
    # less than 7 × 24 hours). A text it sends at night waits for the morning (see `daytime`).
    due = [days for days in practice.briefing_days
           if now.timestamp() >= (period.start - timedelta(days=days)).timestamp()]
    if due and (told is None or told.version == period.version):
        # Down for a while and several briefings due: the latest one goes, the others are skipped.
        for days in sorted(due, reverse=True):
            skip = days != min(due)
            done += _send(connection, settings, practice, office_id, period, "briefing", f"{days}d", links, now,
                          skip=skip)
    if now.timestamp() >= period.start.timestamp():
        done += _send(connection, settings, practice, office_id, period, "start", "", links, now)
    return done


def daytime(instant: datetime, practice: Practice) -> datetime:
    """When a text queued at `instant` may go to an office's staff, who read it on their phones:
    not between 20:00 and 8:00 (local time); what falls then waits for 8:00. Emails go at once."""
    local = instant.astimezone(practice.timezone)
    if DAY_STARTS <= local.hour < DAY_ENDS:
        return local
    day = local.date() if local.hour < DAY_STARTS else local.date() + timedelta(days=1)
    return local_at(day, DAY_STARTS * 3600, practice.timezone)


def _last_told(connection: Connection, practice_id: str, office_id: str, key: str) -> Any:
    return notice_rows.last_told(connection, practice_id, office_id, key, TOLD)


def _cancellations(connection: Connection, settings: Settings, practice: Practice, periods: list[CoveragePeriod],
                   now: datetime) -> list[str]:
    """Offices told about a period that is gone from the calendar, or that no longer covers it."""
    current = {(office_id, period.key) for period in periods for office_id in period.recipients}
    told = notice_rows.told(connection, practice.id, TOLD, now)
    done = []
    seen: set[tuple[str, str]] = set()
    for row in sorted(told, key=lambda r: -r.id):
        pair = (row.office_id, row.period_key)
        if pair in current or pair in seen or row.office_id not in settings.offices:
            continue
        seen.add(pair)
        done += _send_cancellation(connection, settings, practice, row, now)
    return done


def _follow_up(connection: Connection, settings: Settings, practice: Practice, period: CoveragePeriod,
               links: Links, now: datetime) -> list[str]:
    due = _follow_up_due(practice, period)
    if not due.timestamp() <= now.timestamp() < (due + FOLLOW_UP_USEFUL).timestamp():
        return []
    row = {"practice_id": practice.id, "office_id": "", "period_key": period.key, "kind": "follow_up", "slot": "",
           "version": period.version, "period_start": period.start, "period_end": period.end, "state": "queued",
           "created_at": now}
    if not notice_rows.claim_notice(connection, row):
        return []
    end = period.reopens_at or period.end
    items = follow_up_list(connection, practice.id, period.key, period.start, end)
    w = words(practice.language)
    # `offices`: the list says "Pris par Cabinet du Dr Martin", not the office's id.
    context = {"practice": practice, "period": period, "items": items, "counts": summary(items), "w": w,
               "offices": settings.offices, "link": links.follow_up(practice, period),
               "span": format_span(period.start, period.end, practice.language, is_all_day=period.closure.is_all_day)}
    subject = w["follow_up_subject"].format(practice=practice.name.written, **summary(items))
    message_id = None
    if practice.email:
        message_id = outbox.queue_email(
            connection, practice_id=practice.id, purpose="follow_up", to=practice.email, subject=subject,
            text=render_template("notices/follow_up.txt", **context),
            html=render_template("notices/follow_up_email.html", **context), at=now)
    elif practice.sms:
        message_id = outbox.queue_sms(
            connection, practice_id=practice.id, purpose="follow_up", sender=practice.numbers[0], to=practice.sms,
            body=f"{subject} {context['link']}", at=now)
    _record(connection, row, message_id)
    return [f"{practice.id}: follow-up list for {period.key} ({summary(items)['to_call']} to call back)"]


def _follow_up_due(practice: Practice, period: CoveragePeriod) -> datetime:
    """The morning the practice reopens: 7:00 that day, or the reopening itself if it is earlier."""
    reopening = (period.reopens_at or period.end).astimezone(practice.timezone)
    morning = reopening.replace(hour=7, minute=0, second=0, microsecond=0)
    if morning.timestamp() > reopening.timestamp():
        return reopening
    return morning if morning.timestamp() >= period.end.timestamp() else period.end


def _send(connection: Connection, settings: Settings, practice: Practice, office_id: str, period: CoveragePeriod,
          kind: str, slot: str, links: Links, now: datetime, *, skip: bool = False) -> list[str]:
    row = {"practice_id": practice.id, "office_id": office_id, "period_key": period.key, "kind": kind, "slot": slot,
           "version": period.version, "period_start": period.start, "period_end": period.end,
           "state": "skipped" if skip else "queued", "created_at": now}
    if not notice_rows.claim_notice(connection, row):
        return []
    if skip:
        return []
    briefing = make_briefing(settings, practice, office_id, period)
    office, w = briefing.office, words(briefing.language)
    names = {"practice": practice.name.spoken, "of_practice": of_name(practice.name, office.language)}
    context = {"b": briefing, "w": w, "kind": kind, "link": links.briefing(practice, office_id, period), "names": names,
               "span": format_span(period.start, period.end, office.language, is_all_day=period.closure.is_all_day),
               "reopening": format_moment(period.reopens_at, office.language) if period.reopens_at else None,
               "format_moment": format_moment}
    subject = w[f"{kind}_subject"].format(span=context["span"], **names)
    message_id = _to_office(connection, practice, office, kind, subject, context, now)
    _record(connection, row, message_id)
    return [f"{practice.id}: {kind} {slot} to {office_id} for {period.key}"]


def _to_office(connection: Connection, practice: Practice, office: Any, kind: str, subject: str,
               context: dict[str, Any], now: datetime) -> int | None:
    """Briefings and updates by email (they are long); start and end notices by SMS when possible."""
    short = kind in ("start", "end", "cancellation")
    sms_text = render_template("notices/office.sms.txt", **context).strip()
    if office.sms and (short or not office.email):
        return outbox.queue_sms(connection, practice_id=practice.id, purpose=kind, sender=practice.numbers[0],
                                  to=office.sms, body=sms_text, at=now, not_before=daytime(now, practice))
    if office.email and short:
        # The SMS words: a start or end notice is not a second briefing; the sheet is a link away.
        return outbox.queue_email(connection, practice_id=practice.id, purpose=kind, to=office.email,
                                    subject=subject, text=sms_text, html=None, at=now)
    if office.email:
        return outbox.queue_email(
            connection, practice_id=practice.id, purpose=kind, to=office.email, subject=subject,
            text=render_template("notices/office.txt", **context),
            html=render_template("notices/office_email.html", **context), at=now)
    if office.sms is None and office.email is None:
        logger.warning("office %s has no sms or email: the %s notice for %s cannot be sent", office.id, kind,
                       practice.id)
    return None


def _send_cancellation(connection: Connection, settings: Settings, practice: Practice, told: Any,
                       now: datetime) -> list[str]:
    row = {"practice_id": practice.id, "office_id": told.office_id, "period_key": told.period_key,
           "kind": "cancellation", "slot": told.version, "version": told.version, "period_start": told.period_start,
           "period_end": told.period_end, "state": "queued", "created_at": now}
    if not notice_rows.claim_notice(connection, row):
        return []
    office = settings.offices[told.office_id]
    w = words(office.language)
    span = format_kept_span(told.period_start.astimezone(practice.timezone),
                            told.period_end.astimezone(practice.timezone), office.language)
    names = {"practice": practice.name.spoken, "of_practice": of_name(practice.name, office.language)}
    context = {"w": w, "kind": "cancellation", "practice": practice, "office": office, "span": span, "names": names}
    subject = w["cancellation_subject"].format(span=span, **names)
    message_id = None
    if office.sms:
        message_id = outbox.queue_sms(connection, practice_id=practice.id, purpose="cancellation",
                                        sender=practice.numbers[0], to=office.sms,
                                        body=w["cancellation_sms"].format(span=span, **names),
                                        at=now, not_before=daytime(now, practice))
    elif office.email:
        text = render_template("notices/cancellation.txt", **context)
        message_id = outbox.queue_email(connection, practice_id=practice.id, purpose="cancellation", to=office.email,
                                          subject=subject, text=text, html=None, at=now)
    _record(connection, row, message_id)
    return [f"{practice.id}: cancellation to {told.office_id} for {told.period_key}"]


def _record(connection: Connection, row: dict[str, Any], message_id: int | None) -> None:
    notice_rows.record_notice_message(connection, row, message_id)
