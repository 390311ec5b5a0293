"""Pages behind signed links: a covering office's briefing and contacts, a practice's follow-up list."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from config.settings import Practice
from coverage.briefing import make_briefing
from coverage.errors import refuse, speak
from coverage.flask import snapshots
from coverage.followup import contacts_between, follow_up_list, summary, urgent_first
from coverage.links import BRIEFING_GRACE, FOLLOW_UP_GRACE, make_token, read_token
from coverage.notice_job import Links
from coverage.periods import CoveragePeriod, coverage_periods
from coverage.practice import play
from coverage.security import check_csrf
from coverage.snapshots import PracticeView
from coverage.store import followups, reports
from coverage.wording.dates import format_kept_span, format_moment, format_span
from coverage.wording.labels import words, words_for

blueprint = Blueprint("pages", __name__, template_folder="templates")


def _now() -> datetime:
    now: datetime = current_app.config["RELEVE_CLOCK"]()
    return now


def _payload(kind: str, token: str) -> dict[str, Any]:
    payload = read_token(current_app.config["SECRET_KEY"], kind, token, _now())
    if payload is None:
        abort(404)
    return payload


def _view(practice_id: str) -> PracticeView:
    try:
        return snapshots().view(practice_id)
    except KeyError:
        abort(404)


def _period(practice_id: str, key: str, start: float, end: float) -> tuple[PracticeView, CoveragePeriod | None]:
    view = _view(practice_id)
    around = timedelta(days=31)
    periods = coverage_periods(view.schedule, datetime.fromtimestamp(start, view.practice.timezone) - around,
                               datetime.fromtimestamp(end, view.practice.timezone) + around)
    return view, next((p for p in periods if p.key == key), None)


def _gone(language: str, key: str) -> tuple[str, int]:
    return render_template("link_gone.html", message=words(language)[key]), 410


@blueprint.get("/briefing/<token>")
def briefing(token: str) -> Any:
    """The briefing sheet of one office for one coverage period, print-ready."""
    payload = _payload("briefing", token)
    view, period = _period(payload["p"], payload["k"], payload["s"], payload["e"])
    settings, practice = view.settings, view.practice
    if period is None or payload["o"] not in period.recipients:
        office = settings.offices.get(payload["o"])
        return _gone(office.language if office else practice.language, "cancelled")
    sheet = make_briefing(settings, practice, payload["o"], period)
    language = sheet.office.language
    speak(language)
    with current_app.extensions["releve.db"].begin() as connection:
        ack = reports.acknowledgements_of(connection, practice.id).get((payload["o"], period.key, period.version))
    return render_template(
        "briefing.html", b=sheet, w=words(language, clients=not practice.is_health), kind="briefing", token=token, ack=ack,
        format_moment=format_moment,
        span=format_span(period.start, period.end, language, is_all_day=period.closure.is_all_day),
        reopening=format_moment(period.reopens_at, language) if period.reopens_at else None)


@blueprint.get("/briefing/<token>/contacts")
def office_contacts(token: str) -> Any:
    """The contacts forwarded to this office during this period: read-only, this practice only."""
    payload = _payload("briefing", token)
    view, period = _period(payload["p"], payload["k"], payload["s"], payload["e"])
    settings, practice = view.settings, view.practice
    if payload["o"] not in settings.offices:
        abort(404)
    office = settings.offices[payload["o"]]
    speak(office.language)
    start = datetime.fromtimestamp(payload["s"], practice.timezone)
    end = period.reopens_at if period and period.reopens_at else datetime.fromtimestamp(payload["e"], practice.timezone)
    with current_app.extensions["releve.db"].begin() as connection:
        items = urgent_first(contacts_between(connection, practice.id, start, end, office_id=office.id))
    return render_template(
        "office_contacts.html", practice=practice, office=office, items=items, w=words(office.language, clients=not practice.is_health), token=token,
        lang=office.language, tz=practice.timezone, offices=settings.offices,
        span=format_kept_span(start, datetime.fromtimestamp(payload["e"], practice.timezone), office.language))


@blueprint.post("/briefing/<token>/acknowledge")
def acknowledge(token: str) -> Response:
    """The office read the sheet: the practice sees « lu par … le … » (for these dates)."""
    payload = _payload("briefing", token)
    check_csrf(scope=token)
    name = " ".join(request.form.get("name", "").split())[:200]
    if not name:
        refuse(400, "need_name")
    view, period = _period(payload["p"], payload["k"], payload["s"], payload["e"])
    if period is None or payload["o"] not in period.recipients:
        abort(410)
    with current_app.extensions["releve.db"].begin() as connection:
        reports.acknowledge(connection, view.practice.id, payload["o"], period.key, period.version, name, _now())
    return redirect(request.path.rsplit("/acknowledge", 1)[0] + "#acknowledge", code=303)


@blueprint.post("/briefing/<token>/contacts/report")
def office_report(token: str) -> Response:
    """The covering office marks a contact it was given as handled, with a note for the practice
    (the covering vet's written report, the dentist's information passed on at the return)."""
    payload = _payload("briefing", token)
    check_csrf(scope=token)
    view = _view(payload["p"])
    practice = view.practice
    start = datetime.fromtimestamp(payload["s"], practice.timezone)
    _, period = _period(payload["p"], payload["k"], payload["s"], payload["e"])
    end = period.reopens_at if period and period.reopens_at else datetime.fromtimestamp(payload["e"], practice.timezone)
    ref = request.form.get("ref", "")
    with current_app.extensions["releve.db"].begin() as connection:
        mine = {c.ref: c for _, c in contacts_between(connection, practice.id, start, end, office_id=payload["o"])}
        if ref not in mine:
            refuse(400, "not_forwarded")
        reports.report(connection, practice.id, payload["o"], mine[ref].kind, ref,
                       request.form.get("note", "").strip(), _now())
    return redirect(request.path.rsplit("/report", 1)[0] + f"#contact-{ref}", code=303)


@blueprint.get("/follow-up/<token>")
def follow_up(token: str) -> Any:
    """The practice's follow-up list: who called or wrote, what happened, who to call back."""
    payload = _payload("follow-up", token)
    practice, start, end = _follow_up_window(payload)
    speak(practice.language)
    settings = _view(practice.id).settings
    with current_app.extensions["releve.db"].begin() as connection:
        items = follow_up_list(connection, practice.id, start, end)
    return render_template(
        "follow_up.html", token=token, practice=practice, items=items, counts=summary(items), w=words_for(practice),
        listen=lambda ref: url_for("pages.follow_up_voicemail", token=token, call_sid=ref),
        lang=practice.language, tz=practice.timezone, offices=settings.offices,
        span=format_kept_span(start, datetime.fromtimestamp(payload["e"], practice.timezone), practice.language))


@blueprint.get("/follow-up/<token>/voicemail/<call_sid>")
def follow_up_voicemail(token: str, call_sid: str) -> Response:
    """A voicemail of the follow-up list, played through Relève (the link is the list's)."""
    payload = _payload("follow-up", token)
    practice, start, end = _follow_up_window(payload)
    with current_app.extensions["releve.db"].begin() as connection:
        row = followups.call_row(connection, practice.id, call_sid)
    if row is None or not start.timestamp() <= row.started_at.timestamp() < end.timestamp():
        abort(404)
    return play(row)


@blueprint.post("/follow-up/<token>/done")
def follow_up_done(token: str) -> Response:
    """Tick a patient off the list once called back: one of the list's patients, from its own form."""
    payload = _payload("follow-up", token)
    check_csrf(scope=token)
    patient = request.form.get("patient", "").strip()
    practice, start, end = _follow_up_window(payload)
    with current_app.extensions["releve.db"].begin() as connection:
        found = {item.number: item for item in follow_up_list(connection, practice.id, start, end)}
        if patient not in found:
            refuse(400, "not_on_list")
        followups.tick(connection, practice.id, patient, found[patient].last_at, _now(), "follow-up link")
    return redirect(request.path.rsplit("/done", 1)[0], code=303)


def _follow_up_window(payload: dict[str, Any]) -> tuple[Practice, datetime, datetime]:
    practice = _view(payload["p"]).practice
    return (practice, datetime.fromtimestamp(payload["s"], practice.timezone),
            datetime.fromtimestamp(payload["r"], practice.timezone))


def links_for(base_url: str, secret: str) -> Links:
    """The signed links notices carry, to pages of the app at `base_url`."""
    base = base_url.rstrip("/")

    def briefing_link(practice: Practice, office_id: str, period: CoveragePeriod) -> str:
        token = make_token(secret, "briefing", period.end + BRIEFING_GRACE, p=practice.id, o=office_id, k=period.key,
                           s=period.start.timestamp(), e=period.end.timestamp())
        return f"{base}/briefing/{token}"

    def follow_up_link(practice: Practice, period: CoveragePeriod) -> str:
        reopening = period.reopens_at or period.end
        token = make_token(secret, "follow-up", reopening + FOLLOW_UP_GRACE, p=practice.id, k=period.key,
                           s=period.start.timestamp(), e=period.end.timestamp(),
                           r=reopening.timestamp())
        return f"{base}/follow-up/{token}"

    def callbacks_link(practice: Practice) -> str:
        return f"{base}/practice/{practice.id}/callbacks"

    def voicemail_link(practice: Practice, call_sid: str) -> str:
        return f"{base}/practice/{practice.id}/voicemail/{call_sid}"

    return Links(briefing_link, follow_up_link, callbacks_link, voicemail_link)
