"""A possibly urgent voicemail, told at once: an SMS to the covering office on duty when it was left
and to the practice's urgent contact (coverage.urgency.to_tell), with who called, when, why it
is flagged, the transcript when there is one, and where to listen. Queued in the outbox: the
webhook that queues it never waits on Twilio. Each is told once (`calls.urgent_told_at`, and one
message per recipient and call ever)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Flask

from config.settings import Practice
from coverage.notice_job import Links
from coverage.pages import links_for
from coverage.periods import coverage_periods
from coverage.schedule import Schedule
from coverage.snapshots import Snapshots
from coverage.store import Store, outbox
from coverage.store import transcripts as rows
from coverage.urgency import Recipient, to_tell
from coverage.wording.dates import format_moment
from coverage.wording.labels import words
from coverage.wording.numbers import format_phone, same_country
from coverage.wording.render import urgent_why

logger = logging.getLogger(__name__)

TRANSCRIPT_IN_SMS = 240   # characters of the transcript an urgent text quotes
SWEEP_SINCE = timedelta(days=2)


def links_of(app: Flask) -> Links:
    return links_for(app.config["RELEVE_BASE_URL"], app.config["SECRET_KEY"])


def tell_urgent(store: Store, practices: Snapshots, links: Links, call_sid: str, now: datetime) -> int:
    """Queue the urgent texts of one voicemail, if it is flagged and nobody was told; how many."""
    with store.begin() as connection:
        call = rows.call_row(connection, call_sid)
        if call is None or call.urgent is None or call.urgent_told_at is not None:
            return 0
        try:
            view = practices.near_view(call.practice_id)
        except KeyError:
            logger.error("an urgent voicemail of a practice no longer configured (%s) cannot be told",
                         call.practice_id)
            rows.mark_told(connection, call_sid, now)
            return 0
        settings, practice = view.settings, view.practice
        chain = tuple(o for o in (call.chain or "").split(",") if o) or practices.answer(practice.id,
                                                                                       call.started_at).chain
        transcript = rows.of_calls(connection, [call_sid]).get(call_sid, (None, False))[0] or ""
        queued = 0
        for recipient in to_tell(settings, practice, chain):
            office = settings.offices.get(recipient.who)
            language = office.language if office is not None else practice.language
            link = _link(view.schedule, links, practice, recipient, call.started_at, call_sid)
            body = _body(practice, call.caller, call.started_at.astimezone(practice.timezone), call.urgent,
                         transcript, link, language, recipient.sms or practice.numbers[0])
            key = f"urgent:{call_sid}:{recipient.who}"
            if recipient.sms:
                queued += outbox.queue_sms(connection, practice_id=practice.id, purpose="urgent",
                                           sender=practice.numbers[0], to=recipient.sms, body=body, at=now,
                                           dedupe_key=key) is not None
            elif recipient.email:
                subject = str(words(language)["urgent_subject"]).format(practice=practice.name.written)
                queued += outbox.queue_email(connection, practice_id=practice.id, purpose="urgent", to=recipient.email,
                                             subject=subject, text=body, html=None, at=now,
                                             dedupe_key=key) is not None
        rows.mark_told(connection, call_sid, now)
    logger.info("urgent voicemail of %s told to %d recipient(s)", practice.id, queued)
    return queued


def sweep_urgent(store: Store, practices: Snapshots, links: Links, now: datetime) -> int:
    """Tell the flagged voicemails nobody was told of (written from a spool, or a failure)."""
    with store.begin() as connection:
        waiting = rows.untold_urgent(connection, now - SWEEP_SINCE)
    return sum(tell_urgent(store, practices, links, call_sid, now) for call_sid in waiting)


def _link(schedule: Schedule, links: Links, practice: Practice, recipient: Recipient, at: datetime,
          call_sid: str) -> str:
    """Where the recipient listens: the office's contacts page of the closure, the practice's page."""
    if recipient.who == "urgent_contact":
        return links.voicemail(practice, call_sid)
    for period in coverage_periods(schedule, at - timedelta(days=1), at + timedelta(minutes=1)):
        if period.start.timestamp() <= at.timestamp() < period.end.timestamp() and recipient.who in period.recipients:
            return links.briefing(practice, recipient.who, period) + "/contacts"
    return links.callbacks(practice)


def _body(practice: Practice, caller: str, at: datetime, urgent: str, transcript: str, link: str,
          language: str, to: str) -> str:
    w = words(language)
    # Written as the recipient dials it: « 06 98 76 54 32 » in France for a French number.
    number = format_phone(caller, national=same_country(caller, to)) if caller.startswith("+") else str(w["withheld"])
    said = " ".join(transcript.split())
    if len(said) > TRANSCRIPT_IN_SMS:
        said = said[:TRANSCRIPT_IN_SMS].rsplit(" ", 1)[0] + "..."
    return str(w["urgent_sms"]).format(
        practice=practice.name.written, number=number, when=format_moment(at, language),
        why=urgent_why(urgent, language, sms=True), transcript=f' "{said}"' if said else "", link=link)
