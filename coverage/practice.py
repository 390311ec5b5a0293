"""The practice's own space, signed in: its page (now, the timeline, « Fermer maintenant », its
calendars, alerts), its callback list, its contact log (CSV too) and its voicemails played
through Relève. A user sees its own practice only; the administrator sees every practice."""
from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from config.phones import e164, region_of, typed_number
from coverage import closing as closing_rules
from coverage.auth import current_user, practice_required
from coverage.errors import refuse, speak
from coverage.flask import recordings, snapshots, store
from coverage.followup import Contact, callback_list, contacts_between, summary
from coverage.periods import coverage_periods
from coverage.privacy import masked
from coverage.security import check_csrf
from coverage.snapshots import PracticeView
from coverage.store import StoreUnavailable, alerts, closings, followups, reports
from coverage.timeline import days_ahead, months_ahead
from coverage.wording.dates import (
    format_clock,
    format_clock_span,
    format_day,
    format_moment,
    format_month,
    format_short_day,
    format_span,
    weekday_initials,
)
from coverage.wording.labels import words_for
from coverage.wording.numbers import format_phone

logger = logging.getLogger(__name__)

blueprint = Blueprint("practice", __name__, template_folder="templates")

LOG_DAYS = 7          # the contact log shows this many days when no day is asked
_RECORDING_SID = re.compile(r"^RE[0-9a-fA-F]{32}$")


@blueprint.errorhandler(StoreUnavailable)
def _database_down(error: StoreUnavailable) -> tuple[str, int]:
    """The database does not answer: the page says so (calls still go through), never a 500."""
    logger.error("practice page %s: the database cannot be used (%s)", request.path.split("?")[0], error)
    return render_template("unavailable.html"), 503


def _now() -> datetime:
    now: datetime = current_app.config["RELEVE_CLOCK"]()
    return now


def _view(practice_id: str) -> PracticeView:
    try:
        return snapshots().view(practice_id)
    except KeyError:
        abort(404)


def _who() -> str:
    who = current_user()
    return who.name if who else "?"


def _common(view: PracticeView) -> dict[str, Any]:
    practice = view.practice
    speak(practice.language)
    return {"practice": practice, "offices": view.settings.offices, "w": words_for(practice),
            "lang": practice.language, "tz": practice.timezone, "who": current_user(),
            "listen": lambda ref: url_for("practice.voicemail", practice_id=practice.id, call_sid=ref)}


def _names(view: PracticeView, chain: tuple[str, ...]) -> str:
    offices = view.settings.offices
    return ", ".join(offices[o].name.written if o in offices else o for o in chain)


@blueprint.get("/practice/<practice_id>")
@practice_required
def page(practice_id: str, problem: str | None = None) -> Any:
    view = _view(practice_id)
    practice, schedule = view.practice, view.schedule
    now = _now()
    found = snapshots()
    answer = found.answer(practice_id, now)
    running = found.closing(practice_id, now)
    upcoming = found.closings(practice_id)
    periods = coverage_periods(schedule, now, now + timedelta(days=400))
    try:
        with store().begin() as connection:
            acks = reports.acknowledgements_of(connection, practice_id)
            open_alerts = alerts.open_alerts(connection, practice_id)
            to_call = summary(callback_list(connection, practice_id, now))["to_call"]
    except StoreUnavailable:
        acks, open_alerts, to_call = {}, [], None
    default_end = closing_rules.end_of_day(practice, schedule, now).astimezone(practice.timezone)
    return render_template(
        "practice.html", **_common(view), view=view, now=now.astimezone(practice.timezone), answer=answer,
        running=running, upcoming=upcoming, days=days_ahead(schedule, practice, upcoming, now),
        months=months_ahead(schedule, now), periods=periods[:12], read_at=found.calendars_read_at(), acks=acks, alerts=open_alerts, to_call=to_call,
        default_end=default_end.strftime("%Y-%m-%dT%H:%M"), problem=problem, names=lambda c: _names(view, c),
        format_moment=format_moment, format_day=format_day, format_clock=format_clock, format_span=format_span,
        format_month=format_month, format_short_day=format_short_day, format_clock_span=format_clock_span,
        weekday_initials=weekday_initials,
        format_phone=format_phone), 400 if problem else 200


@blueprint.post("/practice/<practice_id>/close-now")
@practice_required
def close_now(practice_id: str) -> Any:
    check_csrf()
    view = _view(practice_id)
    practice = view.practice
    now = _now()
    text = request.form.get("until", "").strip()
    try:
        ends_at = datetime.fromisoformat(text).replace(tzinfo=practice.timezone) if text else \
            closing_rules.end_of_day(practice, view.schedule, now)
    except ValueError:
        return page(practice_id=practice_id, problem="not_a_time")
    chain = tuple(o for o in request.form.get("chain", "").split(",") if o)
    problem = closing_rules.check_closing(practice, set(view.settings.offices), now, ends_at, chain)
    if problem:
        return page(practice_id=practice_id, problem=problem)
    with store().begin() as connection:
        closings.add(connection, practice_id, now, ends_at, request.form.get("reason", "").strip()[:300], chain,
                     _who())
    snapshots().expire()  # this process at once; the others within seconds
    logger.info("practice %s closed by hand until %s", practice_id, ends_at.isoformat())
    return redirect(url_for("practice.page", practice_id=practice_id), code=303)


@blueprint.post("/practice/<practice_id>/reopen")
@practice_required
def reopen(practice_id: str) -> Any:
    check_csrf()
    _view(practice_id)
    with store().begin() as connection:
        closings.end_running(connection, practice_id, _now(), _who())
    snapshots().expire()
    logger.info("practice %s reopened by hand", practice_id)
    return redirect(url_for("practice.page", practice_id=practice_id), code=303)


@blueprint.get("/practice/<practice_id>/callbacks")
@practice_required
def callbacks(practice_id: str) -> Any:
    view = _view(practice_id)
    with store().begin() as connection:
        items = callback_list(connection, practice_id, _now())
    return render_template("callbacks.html", **_common(view), items=items, counts=summary(items),
                           format_moment=format_moment, format_phone=format_phone)


@blueprint.post("/practice/<practice_id>/callbacks")
@practice_required
def callbacks_post(practice_id: str) -> Any:
    """Tick a patient off (every contact up to the one shown last), or undo it."""
    check_csrf()
    _view(practice_id)
    patient = request.form.get("patient", "").strip()
    now = _now()
    with store().begin() as connection:
        found = {p.number: p for p in callback_list(connection, practice_id, now)}
        if patient not in found:
            refuse(400, "not_on_callbacks")
        if request.form.get("action") == "undo":
            followups.untick(connection, practice_id, patient, now, _who())
        else:
            followups.tick(connection, practice_id, patient, found[patient].last_at, now, _who())
    return redirect(url_for("practice.callbacks", practice_id=practice_id) + f"#patient-{patient.lstrip('+')}",
                    code=303)


def _logged(view: PracticeView) -> tuple[list[tuple[str, Contact]], datetime]:
    """The contacts the log's filter asks for (`?day=`, `?number=`; by default the last LOG_DAYS
    days), oldest first, and where the span starts."""
    tz = view.practice.timezone
    day_text, number_text = request.args.get("day", "").strip(), request.args.get("number", "").strip()
    now = _now().astimezone(tz)
    if day_text:
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            refuse(400, "bad_day", day=day_text)
        start = datetime.combine(day, datetime.min.time(), tz)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
    else:
        start = datetime.combine(now.date() - timedelta(days=LOG_DAYS - 1), datetime.min.time(), tz)
        end = now + timedelta(days=1)
    number = None
    if number_text:
        number = typed_number(number_text, region_of(view.practice.numbers[0])) or number_text
    with store().begin() as connection:
        return contacts_between(connection, view.practice.id, start, end, number=number), start


@blueprint.get("/practice/<practice_id>/contacts")
@practice_required
def contact_log(practice_id: str) -> Any:
    view = _view(practice_id)
    items, _ = _logged(view)
    items.reverse()  # the newest first
    return render_template("contact_log.html", **_common(view), items=items,
                           day=request.args.get("day", "").strip(), number=request.args.get("number", "").strip(),
                           format_moment=format_moment, format_phone=format_phone,
                           csv_url=url_for("practice.contact_log_csv", practice_id=practice_id)
                           + (f"?{urlencode(request.args)}" if request.args else ""))


@blueprint.get("/practice/<practice_id>/contacts.csv")
@practice_required
def contact_log_csv(practice_id: str) -> Response:
    view = _view(practice_id)
    items, start = _logged(view)
    offices = view.settings.offices
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time", "kind", "number", "practice_was", "outcome", "office", "voicemail_seconds", "text",
                     "office_note"])
    tz = view.practice.timezone
    for patient, c in items:
        office = offices[c.office_id].name.written if c.office_id in offices else (c.office_id or "")
        writer.writerow([c.at.astimezone(tz).isoformat(timespec="seconds"), c.kind, _cell(patient),
                         "" if c.was_open is None else "open" if c.was_open else "closed", c.outcome, _cell(office),
                         c.recording_seconds or "", _cell(c.body), _cell(c.note)])
    name = f"contacts-{practice_id}-{start.date().isoformat()}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _cell(value: str) -> str:
    """A spreadsheet never runs what a caller wrote: a cell starting with = + - @ is quoted."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not e164(value) else value


@blueprint.get("/practice/<practice_id>/voicemail/<call_sid>")
@practice_required
def voicemail(practice_id: str, call_sid: str) -> Response:
    """The voicemail's audio, fetched from Twilio by Relève: the browser never sees the
    account's credentials or the recording's address at Twilio."""
    with store().begin() as connection:
        row = followups.call_row(connection, practice_id, call_sid)
    return play(row)


def play(row: Any) -> Response:
    """The audio of a call's voicemail (404 when there is none, or none any more)."""
    if row is None or not row.recording_url:
        abort(404)
    candidates = (row.recording_sid or "", row.recording_url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".mp3"))
    sid = next((c for c in candidates if _RECORDING_SID.match(c)), None)
    if sid is None:
        abort(404)
    try:
        found = recordings().fetch_recording(sid)
    except Exception as exc:  # noqa: BLE001 - Twilio down: the page says so, nothing else breaks
        logger.warning("the voicemail of call %s could not be fetched from Twilio (%s)", masked(row.caller), exc)
        abort(502, description="the voicemail cannot be fetched from Twilio right now; try again in a minute")
    if found is None:
        abort(404)
    audio, kind = found
    return Response(audio, mimetype=kind if kind.startswith("audio/") else "audio/mpeg",
                    headers={"Cache-Control": "private, no-store", "Content-Disposition": "inline"})
