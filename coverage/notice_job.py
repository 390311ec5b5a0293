"""The notice job: what `coverage.notices` says is due becomes rows, emails and texts.

`run_notices(store, practices, links, now)` is the whole job: the worker calls it every minute, the
tests with the `now` they want. Each notice is a row of `notices` written, with the message it
queues, in one transaction and under a unique key: a restart, a crash or two workers never send a
notice twice, and a notice missed while nothing ran goes out at the next run if it is still useful.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from config.settings import CoveringOffice, Practice, Settings
from coverage.briefing import make_briefing
from coverage.followup import contacts_between, follow_up_list, grouped, summary
from coverage.notices import (
    FOLLOW_UP_USEFUL,
    TELLS,
    VOICEMAIL_LOOKBACK,
    Due,
    Left,
    Told,
    VoicemailNotice,
    daytime,
    digest_window,
    due_notices,
    follow_up_due,
    in_a_period,
    voicemail_notices_due,
)
from coverage.periods import CoveragePeriod, coverage_periods
from coverage.schedule import Schedule
from coverage.store import Store, followups, outbox
from coverage.store import notices as notice_rows
from coverage.wording.dates import format_kept_span, format_moment, format_span
from coverage.wording.labels import words, words_for
from coverage.wording.names import of_name
from coverage.wording.numbers import format_phone
from coverage.wording.render import render

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Links:
    """Builds the signed links notices carry."""

    briefing: Callable[[Practice, str, CoveragePeriod], str]
    follow_up: Callable[[Practice, CoveragePeriod], str]
    callbacks: Callable[[Practice], str]            # the practice's callback list (signed in)
    voicemail: Callable[[Practice, str], str]       # one voicemail played on the practice's page


@dataclass(frozen=True)
class PracticeNow:
    """What the job needs of a practice: its settings, its schedule, and whether every one of its
    calendars has been read (no cancellation otherwise)."""

    settings: Settings
    practice: Practice
    schedule: Schedule
    calendars_known: bool


def run_notices(store: Store, practices: Iterable[PracticeNow], links: Links, now: datetime) -> list[str]:
    """Queue every notice that is due and still useful; returns a line per notice queued."""
    done: list[str] = []
    for each in practices:
        practice = each.practice
        # Every period of the horizon, not only those whose briefings are due: a closure moved
        # weeks later is still known, and its offices get an update rather than a cancellation.
        ahead = max(each.settings.service.horizon, timedelta(days=max(practice.briefing_days, default=1) + 1))
        periods = coverage_periods(each.schedule, now - FOLLOW_UP_USEFUL - timedelta(days=1), now + ahead)
        with store.begin() as connection:
            rows = notice_rows.told(connection, practice.id, TELLS, now - timedelta(days=2))
            told = [Told(r.id, r.office_id, r.period_key, r.kind, r.slot, r.version, r.period_start, r.period_end)
                    for r in rows]
            for due in due_notices(practice, periods, told, now, each.calendars_known):
                done += _send(connection, each.settings, practice, due, links, now)
            for period in periods:
                if follow_up_due(practice, period, now):
                    done += _follow_up(connection, each.settings, practice, period, links, now)
            lefts = [Left(r.call_sid, r.started_at, r.was_open)
                     for r in followups.voicemails_since(connection, practice.id, now - VOICEMAIL_LOOKBACK)]
            for notice in voicemail_notices_due(practice, lefts, periods, now):
                done += _voicemail_notice(connection, each.settings, practice, notice, links, now)
            window = digest_window(each.schedule, now)
            if window is not None:
                done += _digest(connection, each.settings, practice, periods, window, links, now)
    for line in done:
        logger.info("notice: %s", line)
    return done


def _row(practice: Practice, due: Due, version: str, start: datetime, end: datetime, now: datetime,
         state: str = "queued") -> dict[str, Any]:
    return {"practice_id": practice.id, "office_id": due.office_id, "period_key": due.period_key, "kind": due.kind,
            "slot": due.slot, "version": version, "period_start": start, "period_end": end, "state": state,
            "created_at": now}


def _send(connection: Connection, settings: Settings, practice: Practice, due: Due, links: Links,
          now: datetime) -> list[str]:
    if due.office_id not in settings.offices:
        return []
    if due.kind == "cancellation":
        return _send_cancellation(connection, settings, practice, due, now)
    period = due.period
    assert period is not None
    row = _row(practice, due, period.version, period.start, period.end, now, "skipped" if due.is_skipped else "queued")
    if not notice_rows.claim_notice(connection, row) or due.is_skipped:
        return []
    briefing = make_briefing(settings, practice, due.office_id, period)
    office, w = briefing.office, words(briefing.language, clients=not practice.is_health)
    names = {"practice": practice.name.spoken, "of_practice": of_name(practice.name, office.language)}
    context = {"b": briefing, "w": w, "kind": due.kind, "reinstated": due.is_reinstated, "names": names,
               "link": links.briefing(practice, due.office_id, period),
               "span": format_span(period.start, period.end, office.language, is_all_day=period.closure.is_all_day),
               "reopening": format_moment(period.reopens_at, office.language) if period.reopens_at else None}
    subject = w["reinstated_subject" if due.is_reinstated else f"{due.kind}_subject"].format(span=context["span"],
                                                                                              **names)
    message_id = _to_office(connection, practice, office, due.kind, subject, context, now)
    notice_rows.record_notice_message(connection, row, message_id)
    return [f"{practice.id}: {due.kind} {due.slot} to {due.office_id} for {due.period_key}"]


def _to_office(connection: Connection, practice: Practice, office: CoveringOffice, kind: str, subject: str,
               context: dict[str, Any], now: datetime) -> int | None:
    """Briefings and updates by email (they are long); start and end notices by SMS when possible."""
    short = kind in ("start", "end")
    sms_text = render("notices/office.sms.txt", **context).strip()
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
            text=render("notices/office.txt", **context), html=render("notices/office_email.html", **context),
            at=now)
    logger.warning("office %s has no sms or email: the %s notice for %s cannot be sent", office.id, kind, practice.id)
    return None


def _send_cancellation(connection: Connection, settings: Settings, practice: Practice, due: Due,
                       now: datetime) -> list[str]:
    told = due.told
    assert told is not None
    row = _row(practice, due, told.version, told.period_start, told.period_end, now)
    if not notice_rows.claim_notice(connection, row):
        return []
    office = settings.offices[due.office_id]
    w = words(office.language, clients=not practice.is_health)
    span = format_kept_span(told.period_start.astimezone(practice.timezone),
                            told.period_end.astimezone(practice.timezone), office.language)
    names = {"practice": practice.name.spoken, "of_practice": of_name(practice.name, office.language)}
    message_id = None
    if office.sms:
        message_id = outbox.queue_sms(connection, practice_id=practice.id, purpose="cancellation",
                                      sender=practice.numbers[0], to=office.sms,
                                      body=w["cancellation_sms"].format(span=span, **names),
                                      at=now, not_before=daytime(now, practice))
    elif office.email:
        context = {"w": w, "practice": practice, "office": office, "span": span, "names": names}
        message_id = outbox.queue_email(connection, practice_id=practice.id, purpose="cancellation", to=office.email,
                                        subject=w["cancellation_subject"].format(span=span, **names),
                                        text=render("notices/cancellation.txt", **context), html=None, at=now)
    notice_rows.record_notice_message(connection, row, message_id)
    return [f"{practice.id}: cancellation to {due.office_id} for {due.period_key}"]


def _follow_up(connection: Connection, settings: Settings, practice: Practice, period: CoveragePeriod, links: Links,
               now: datetime) -> list[str]:
    due = Due("follow_up", "", period.key, "", period)
    row = _row(practice, due, period.version, period.start, period.end, now)
    if not notice_rows.claim_notice(connection, row):
        return []
    end = period.reopens_at or period.end
    items = follow_up_list(connection, practice.id, period.start, end)
    if not items:
        notice_rows.set_state(connection, row, "empty")  # nobody called or wrote: no "0 patient(s)" email
        return [f"{practice.id}: no follow-up list for {period.key}, nobody called or wrote"]
    w = words_for(practice)
    # `offices`: the list says "Pris par Cabinet du Dr Martin", not the office's id.
    context = {"practice": practice, "period": period, "items": items, "counts": summary(items), "w": w,
               "offices": settings.offices, "link": links.follow_up(practice, period),
               "listen": lambda ref: links.voicemail(practice, ref),
               "span": format_span(period.start, period.end, practice.language, is_all_day=period.closure.is_all_day)}
    subject = w["follow_up_subject"].format(practice=practice.name.written, **w.summary_of(summary(items)))
    message_id = None
    if practice.email:
        message_id = outbox.queue_email(
            connection, practice_id=practice.id, purpose="follow_up", to=practice.email, subject=subject,
            text=render("notices/follow_up.txt", **context), html=render("notices/follow_up_email.html", **context),
            at=now)
    elif practice.sms:
        message_id = outbox.queue_sms(
            connection, practice_id=practice.id, purpose="follow_up", sender=practice.numbers[0], to=practice.sms,
            body=f"{subject} {context['link']}", at=now)
    notice_rows.record_notice_message(connection, row, message_id)
    return [f"{practice.id}: follow-up list for {period.key} ({summary(items)['to_call']} to call back)"]


def _to_practice(connection: Connection, practice: Practice, purpose: str, subject: str, text: str,
                 html: str | None, sms: str, now: datetime) -> int | None:
    """A notice to the practice itself: by email, else by SMS to its staff mobile."""
    if practice.email:
        return outbox.queue_email(connection, practice_id=practice.id, purpose=purpose, to=practice.email,
                                  subject=subject, text=text, html=html, at=now)
    if practice.sms:
        return outbox.queue_sms(connection, practice_id=practice.id, purpose=purpose, sender=practice.numbers[0],
                                to=practice.sms, body=sms, at=now)
    logger.warning("practice %s has no email or sms: its %s cannot be sent", practice.id, purpose)
    return None


def _voicemail_notice(connection: Connection, settings: Settings, practice: Practice, notice: VoicemailNotice,
                      links: Links, now: datetime) -> list[str]:
    first, last = notice.voicemails[0].at, notice.voicemails[-1].at
    due = Due("voicemail", "", notice.key, "", None)
    row = _row(practice, due, "", first, last, now)
    if not notice_rows.claim_notice(connection, row):
        return []
    refs = {v.ref for v in notice.voicemails}
    contacts = [(number, c) for number, c in contacts_between(connection, practice.id, first, last + timedelta(seconds=1))
                if c.ref in refs]
    w = words_for(practice)
    context = {"practice": practice, "contacts": contacts, "w": w, "offices": settings.offices,
               "link": links.callbacks(practice), "listen": lambda ref: links.voicemail(practice, ref)}
    number = contacts[0][0] if contacts else ""
    subject = (w["voicemail_subject"].format(number=format_phone(number) if number.startswith("+") else w["withheld"],
                                             practice=practice.name.written)
               if len(refs) == 1 else w["voicemails_subject"].format(count=len(refs), practice=practice.name.written))
    text = render("notices/voicemail.txt", **context)
    message_id = _to_practice(connection, practice, "voicemail", subject, text,
                              render("notices/voicemail_email.html", **context), f"{subject} {context['link']}", now)
    notice_rows.record_notice_message(connection, row, message_id)
    return [f"{practice.id}: voicemail notice ({len(refs)})"]


def _digest(connection: Connection, settings: Settings, practice: Practice, periods: list[CoveragePeriod],
            window: tuple[datetime, datetime], links: Links, now: datetime) -> list[str]:
    """The morning digest: what came since the closing, outside coverage periods (those are on
    their follow-up list); nothing at all when nothing came."""
    closing, opening = window
    contacts = [(n, c) for n, c in contacts_between(connection, practice.id, closing, opening)
                if not in_a_period(c.at, periods)]
    if not contacts:
        return []
    due = Due("digest", "", f"digest:{opening.isoformat()}", "", None)
    row = _row(practice, due, "", closing, opening, now)
    if not notice_rows.claim_notice(connection, row):
        return []
    items = grouped(contacts, {})
    w = words_for(practice)
    counts = summary(items)
    context = {"practice": practice, "items": items, "counts": counts, "w": w, "offices": settings.offices,
               "link": links.callbacks(practice), "listen": lambda ref: links.voicemail(practice, ref),
               "span": format_kept_span(closing, opening, practice.language)}
    subject = w["digest_subject"].format(practice=practice.name.written, **w.summary_of(counts))
    message_id = _to_practice(connection, practice, "digest", subject, render("notices/digest.txt", **context),
                              render("notices/digest_email.html", **context), f"{subject} {context['link']}", now)
    notice_rows.record_notice_message(connection, row, message_id)
    return [f"{practice.id}: morning digest ({counts['patients']} patient(s), {counts['to_call']} to call back)"]
