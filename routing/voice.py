"""The Twilio voice webhooks: an incoming call reaches the front desk, a covering office, or a
voicemail; never a dead end.

Two legs are answered here, and each has its own way of failing safely:
- the caller's leg (`on_the_callers_leg`): any error answers TwiML that reaches someone, ringing
  the practice's lines and its first covering office together, then a voicemail;
- a covering office's leg (the whisper, `on_the_offices_leg`): Twilio accepts only <Say>,
  <Play>, <Gather> and <Hangup> there, so an error connects the office or hangs up its leg, never
  more.
Nothing on the caller's leg waits for the database: its events are written behind
(`ContactLog.record`, see coverage.store.spool), and every decision comes from the request, the
settings and the schedule. What a later webhook reads back (an office's answer at the whisper,
a voicemail) is written at once, to the spool when the database cannot take it.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from twilio.twiml.voice_response import Dial, VoiceResponse  # type: ignore[import-untyped]
from werkzeug.datastructures import MultiDict

from config.phones import e164
from config.settings import CoveringOffice, Practice
from coverage.closing import Closing
from coverage.flask import contact_log, snapshots
from coverage.privacy import masked
from coverage.schedule import Answer
from coverage.snapshots import PracticeView, Snapshots
from coverage.store import StoreUnavailable, outbox
from coverage.store import contacts as log
from coverage.store.tables import ANSWERED, FRONT_DESK, OFFICE
from coverage.wording.greetings import closed_greeting, greeting, why_not
from coverage.wording.texts import text
from routing import twiml
from routing.signature import twilio_signed
from routing.urgent import links_of, tell_urgent
from routing.webhooks import duration, field, form_text, now, xml

logger = logging.getLogger(__name__)

blueprint = Blueprint("routing", __name__)


class BadRequest(Exception):
    """A request whose parameters do not make sense (an unknown practice, a step past the chain)."""


def _where() -> tuple[PracticeView, tuple[str, ...], int]:
    """The practice, chain and step an action URL names, checked against the practice's settings."""
    try:
        view = snapshots().near_view(request.args.get("practice", ""))
    except KeyError:
        raise BadRequest("unknown practice") from None
    settings = view.settings
    chain = tuple(o for o in request.args.get("chain", "").split(",") if o)
    step_text = request.args.get("step", "0")
    if not (step_text.isascii() and step_text.isdigit() and len(step_text) < 4):
        raise BadRequest("step is not a number")
    step = int(step_text)
    if any(office not in settings.offices for office in chain) or (chain and step >= len(chain)):
        raise BadRequest("the chain names an unknown office or the step is past it")
    return view, chain, step


def on_the_callers_leg(view: Callable[..., Response]) -> Callable[..., Response]:
    """A caller is waiting: whatever goes wrong, answer with TwiML that reaches someone."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception:  # noqa: BLE001 - the caller must never hear Twilio's error message
            logger.exception("voice webhook %s failed; the caller gets the fallback", request.path)
            return xml(fallback_response())

    return guarded


def on_the_offices_leg(view: Callable[..., Response]) -> Callable[..., Response]:
    """An office picked up: an error connects it when it said yes (or was not asked), else hangs up
    its leg, and Twilio goes on with the caller's call. Never the caller's verbs on this leg."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception:  # noqa: BLE001 - only <Say>, <Gather>, <Hangup> or nothing may answer here
            logger.exception("whisper webhook %s failed; the office's leg is %s", request.path,
                             "connected" if _may_connect_on_error() else "hung up")
            return xml(VoiceResponse() if _may_connect_on_error() else twiml.hang_up())

    return guarded


def _may_connect_on_error() -> bool:
    if request.endpoint == "routing.whisper_answer":
        return request.form.get("Digits") == "1"
    return True  # the whisper itself: better a person without the whisper than no person


def raw_caller() -> str:
    """`From` exactly as Twilio sent it: whether it is a number is decided on this, not on a copy
    with its odd characters taken out."""
    return request.form.get("From", "")


def caller_id_for(own_number: str, caller: str) -> str:
    """Forward with the caller's number, so the covering office sees who calls. Only a valid E.164
    number is passed on; a withheld number, a SIP address or a `client:` name is not, and the
    practice's own number is shown instead."""
    return e164(caller) or own_number


@blueprint.post("/voice")
@twilio_signed
@on_the_callers_leg
def incoming_call() -> Response:
    """A call to a practice's number: front desk when open, else greeting and covering office."""
    document = answer_incoming(request.form, now())
    if document is None:
        logger.error("call to a number no practice has (%s): fallback", masked(form_text("To")))
        return xml(fallback_response())
    return Response(document, mimetype="text/xml")


def answer_incoming(form: MultiDict[str, str], at: datetime) -> str | None:
    """The TwiML of an incoming call, its start logged behind; None when no practice has the
    number called (the webhook answers the fallback). Needs the app, not the request: the
    signed form is all it reads, so routing.fastpath answers with it too."""
    practices = snapshots()
    practice_id = practices.practice_id_for_number(field(form, "To"))
    if practice_id is None:
        return None
    caller, call_sid = field(form, "From"), field(form, "CallSid")
    if not call_sid:
        raise BadRequest("no CallSid")
    held = _held_answer(practices, practice_id, at)
    contact_log().record(log.CallStart(call_sid, practice_id, caller or "unknown", held.number, at, held.is_open,
                                      held.reason, held.chain))
    caller_id = caller_id_for(held.number, form.get("From", ""))  # digits and "+" only: nothing to escape
    return held.document.replace(_CALLER_MARK, caller_id, 1)


_CALLER_MARK = "__releve_caller_id__"
ANSWERS_HELD = 20_000   # practices whose current answer a web process keeps (about 1 kB each)


@dataclass(frozen=True, slots=True)
class _Held:
    """A practice's answer to incoming calls, kept as long as it holds: the same version of the
    practice, the same closings set by hand, and an instant before the schedule's next edge
    (`coverage.schedule.holds_until`). Building TwiML is most of what a call costs."""

    version: str
    closings: tuple[Closing, ...]
    since: float
    until: float
    document: str            # with _CALLER_MARK where the caller ID goes
    number: str              # the practice's own number
    is_open: bool
    reason: str | None       # what the contact log says: the closure's title, "outside_hours"
    chain: tuple[str, ...]


def _held_answer(practices: Snapshots, practice_id: str, at: datetime) -> _Held:
    stamp = at.timestamp()
    held_answers: dict[str, _Held] = current_app.extensions.setdefault("releve.answers", {})
    held = held_answers.get(practice_id)
    if held is not None and held.since <= stamp < held.until:
        entry = practices.directory().practices.get(practice_id)
        if entry is not None and entry["version"] == held.version and held.closings == practices.closings(practice_id):
            return held
    decision = practices.decide(practice_id, at)
    view, answer = decision.view, decision.answer
    reason = None if answer.is_open else (answer.reason or "") if answer.closure else "outside_hours"
    held = _Held(view.version, decision.closings, stamp, decision.until, _incoming_twiml(view, answer, at),
                 view.practice.numbers[0], answer.is_open, reason, answer.chain)
    if held.until > stamp:
        held_answers[practice_id] = held
        while len(held_answers) > ANSWERS_HELD:
            try:
                del held_answers[next(iter(held_answers))]
            except (KeyError, RuntimeError, StopIteration):  # another thread changed it meanwhile
                break
    return held


def hold_every_answer(app: Flask) -> int:
    """Work out every practice's current answer, in the background of a web process that has
    just started: its first call to each practice is then answered as fast as the next, rather
    than each practice's first call paying for reading and decoding it. Yields between practices,
    so that calls coming meanwhile go first; how many practices it holds."""
    held = 0
    with app.app_context():
        practices = snapshots()
        for practice_id in list(practices.directory(peek=True).practices)[:ANSWERS_HELD]:
            try:
                _held_answer(practices, practice_id, now())
                held += 1
            except Exception:  # noqa: BLE001 - a practice that cannot be read now is read at its call
                logger.debug("practice %s: its answer is worked out at its first call", practice_id, exc_info=True)
            time.sleep(0)  # a call waiting for the interpreter goes first
    return held


def _incoming_twiml(view: PracticeView, answer: Answer, at: datetime) -> str:
    """The incoming call's TwiML, with a mark where the caller ID goes."""
    practice = view.practice
    if answer.is_open:
        return str(twiml.ring_front_desk(practice, _CALLER_MARK))
    response = VoiceResponse()
    twiml.say(response, closed_greeting(view.settings, practice, answer, at), practice.language)
    twiml.dial_office(response, view.settings, practice, answer.chain, 0, _CALLER_MARK)
    return str(response)


@blueprint.post("/voice/whisper")
@twilio_signed
@on_the_offices_leg
def whisper() -> Response:
    """Heard by the covering office when it picks up, before the caller is connected."""
    at = now()
    view, chain, step = _where()
    settings, practice = view.settings, view.practice
    office = settings.offices[chain[step]]
    answer = snapshots().answer(practice.id, at)
    accept_url = twiml.action_url("routing.whisper_answer", practice=practice.id, chain=",".join(chain), step=step)
    return xml(twiml.whisper(settings, practice, office, answer.reopens_at, at, accept_url))


@blueprint.post("/voice/whisper/answer")
@twilio_signed
@on_the_offices_leg
def whisper_answer() -> Response:
    """1 pressed: connect. Anything else: the office's leg hangs up, and the caller goes on."""
    view, chain, step = _where()
    office = view.settings.offices[chain[step]]
    is_accepted = request.form.get("Digits") == "1"
    parent = form_text("ParentCallSid")
    if parent:
        # What Relève saw decides, at the dial's end, whether the office took the call. The
        # dial's action may come to another process a moment later: this is written at once.
        contact_log().write(log.LegAnswer(parent, step, office.id, office.phone, is_accepted, now()))
    return xml(VoiceResponse() if is_accepted else twiml.hang_up())


@blueprint.post("/voice/dial")
@twilio_signed
@on_the_callers_leg
def dial_result() -> Response:
    """A dial ended: connected (the call is over), or the next office, or the voicemail."""
    at = now()
    view, chain, step = _where()
    settings, practice = view.settings, view.practice
    call_sid = form_text("CallSid")
    at_desk = request.args.get("desk") == "1"
    office = None if at_desk or not chain else settings.offices[chain[step]]
    target, number = ("front_desk", ",".join(practice.front_desk)) if office is None else (office.id, office.phone)
    status = form_text("DialCallStatus", 20) or "failed"
    contact_log().record(log.LegEnd(call_sid, step, target, number, status, form_text("DialCallSid") or None,
                                   duration("DialCallDuration"), at))
    if _was_answered(status, call_sid, step, office):
        contact_log().record(log.CallOutcome(call_sid, FRONT_DESK if office is None else OFFICE,
                                            None if office is None else office.id, at))
        return xml(twiml.hang_up())
    if not at_desk and step + 1 < len(chain):
        following = settings.offices[chain[step + 1]]
        response = VoiceResponse()
        twiml.say(response, greeting(settings, practice, "next_office", office=following.name.spoken,
                                     why=why_not("declined" if status == "completed" else status,
                                                 practice.language)),
                  practice.language)
        twiml.dial_office(response, settings, practice, chain, step + 1, caller_id_for(practice.numbers[0], raw_caller()))
        return xml(response)
    if at_desk:
        _text_back(practice, raw_caller(), at)
        return xml(twiml.voicemail(settings, practice, chain, is_open=True))
    reopens_at = snapshots().answer(practice.id, at).reopens_at
    return xml(twiml.voicemail(settings, practice, chain, is_open=False, reopens_at=reopens_at, now=at))


def _was_answered(status: str, call_sid: str, step: int, office: CoveringOffice | None) -> bool:
    """Whether a person took the call on this dial.

    Twilio says "completed" for any leg that was picked up, an office's own voicemail included.
    What Relève saw at the whisper decides: an office that declined did not take the call, and one
    that must press 1 took it only if Relève saw the 1. Only when the contact log cannot tell (the
    database is down, or events wait in the spool) does Twilio's DialBridged stand in for it.
    """
    if status != "completed":
        return False
    bridged = request.form.get("DialBridged", "").lower()
    if office is None:
        return bridged != "false"
    log_of_calls = contact_log()
    try:
        if not log_of_calls.flush():
            raise StoreUnavailable("events wait in the spool")
        with log_of_calls.store.begin() as connection:
            leg = log.leg(connection, call_sid, step)
    except StoreUnavailable:
        return bridged == "true" if office.ask_to_accept else bridged != "false"
    if leg is not None and leg.status == "declined":
        return False
    if office.ask_to_accept:
        return leg is not None and leg.accepted_at is not None
    return bridged != "false"


def _text_back(practice: Practice, caller: str, at: datetime) -> None:
    """The front desk missed a call: tell the caller the practice will call back (once a day).
    Queued only: the dispatcher sends it after this answer, never while the caller waits."""
    number = e164(caller)
    if number is None:
        return
    day = at.astimezone(practice.timezone).date().isoformat()
    try:
        with contact_log().store.begin() as connection:
            outbox.queue_sms(connection, practice_id=practice.id, purpose="text_back", sender=practice.numbers[0],
                             to=number, body=text(practice, "text_back"), at=at,
                             dedupe_key=f"text_back:{practice.id}:{number}:{day}")
    except StoreUnavailable:
        logger.warning("practice %s: no text back to %s, the database is unavailable", practice.id, masked(number))
        return
    current_app.extensions["releve.dispatcher"].wake()


@blueprint.post("/voice/urgent")
@twilio_signed
@on_the_callers_leg
def urgent() -> Response:
    """A key pressed while the voicemail was said: "1" flags the message as possibly urgent; any
    other key goes straight to the beep."""
    view, _, _ = _where()
    settings, practice = view.settings, view.practice
    response = VoiceResponse()
    pressed = form_text("Digits") == "1"
    if pressed:
        twiml.say(response, greeting(settings, practice, "urgent_noted"), practice.language)
    return xml(twiml.record_voicemail(response, settings, practice, urgent=pressed))


@blueprint.post("/voice/recorded")
@twilio_signed
@on_the_callers_leg
def recorded() -> Response:
    """A voicemail was left: keep where the recording is, thank the caller. One flagged as urgent
    is texted at once to the office on duty and the practice's urgent contact."""
    view, _, _ = _where()
    settings, practice = view.settings, view.practice
    pressed = request.args.get("urgent") == "1"
    stored = _record_voicemail(practice.id, pressed_urgent=pressed)
    if pressed and stored:
        try:
            tell_urgent(contact_log().store, snapshots(), links_of(current_app), form_text("CallSid"), now())
            current_app.extensions["releve.dispatcher"].wake()
        except Exception:  # noqa: BLE001 - the voicemail is kept; the worker's sweep tells it instead
            logger.exception("an urgent voicemail could not be told at once; the worker's sweep will")
    response = VoiceResponse()
    twiml.say(response, greeting(settings, practice, "thanks"), practice.language)
    response.hangup()
    return xml(response)


def _record_voicemail(practice_id: str, *, pressed_urgent: bool = False) -> bool:
    """Write the voicemail to the contact log: True when it is in the database (not the spool)."""
    url = form_text("RecordingUrl", 500)
    if not url:
        return False
    written = contact_log().write(log.Voicemail(form_text("CallSid"), practice_id, form_text("From") or "unknown",
                                                form_text("To"), url, form_text("RecordingSid") or None,
                                                duration("RecordingDuration"), now(), pressed_urgent))
    return written is not None


@blueprint.post("/voice/status")
@twilio_signed
def call_status() -> Response | tuple[str, int]:
    """Twilio's status callback: the call's final status and duration complete its record."""
    call_sid, status = form_text("CallSid"), form_text("CallStatus", 20)
    if not call_sid or not status:
        return "CallSid and CallStatus are required", 400
    practice_id = _directory_practice(form_text("To"))
    contact_log().record(log.CallStatus(call_sid, practice_id or "", form_text("From") or "unknown",
                                       form_text("To"), status, duration("CallDuration"), now()))
    return "", 204


@blueprint.post("/voice/fallback")
@twilio_signed
def fallback() -> Response:
    """The number's fallback URL, called by Twilio when the voice URL fails or times out.

    It depends on as little as possible: no database, no calendar; the practice's lines from the
    directory, or its copy on disk. The call is logged like any other (to the spool if need be).
    """
    return xml(fallback_response())


@blueprint.post("/voice/fallback/done")
@twilio_signed
def fallback_done() -> Response:
    """After the fallback's dial (nobody answered: a voicemail) or its recording (goodbye)."""
    if request.args.get("after") == "dial":
        if request.form.get("DialCallStatus") != "completed":
            return xml(_fallback_voicemail(VoiceResponse()))
        if form_text("CallSid"):
            contact_log().record(log.CallOutcome(form_text("CallSid"), ANSWERED, None, now()))
    if request.form.get("RecordingUrl"):
        try:
            _record_voicemail(_directory_practice(form_text("To")) or "")
        except Exception:  # noqa: BLE001 - the recording stays in Twilio's console whatever happens
            logger.exception("the fallback voicemail could not be written to the contact log")
    return xml(twiml.hang_up())


def fallback_response() -> VoiceResponse:
    """Ring the practice's lines and its first covering office together; nobody: a voicemail."""
    entry = _fallback_entry()
    _log_fallback_call()
    numbers: list[str] = [n for n in (entry or {}).get("fallback", []) if e164(n)]
    numbers += [n for n in current_app.config.get("RELEVE_FALLBACK_NUMBERS", ()) if n not in numbers and e164(n)]
    response = VoiceResponse()
    if not numbers:
        return _fallback_voicemail(response, entry)
    caller = e164(raw_caller())
    dial = Dial(timeout=25, answer_on_bridge=True, action=_fallback_url("dial"), method="POST",
                **({"caller_id": caller} if caller else {}))
    for number in numbers[:10]:  # Twilio rings at most ten numbers at once
        dial.number(number)
    response.append(dial)
    return response


def _fallback_url(after: str) -> str:
    return twiml.action_url("routing.fallback_done", after=after)


def _fallback_voicemail(response: VoiceResponse, entry: dict[str, Any] | None = None) -> VoiceResponse:
    entry = entry if entry is not None else _fallback_entry()
    language = str((entry or {}).get("language") or "fr-FR")
    twiml.say(response, "Personne n'est disponible. Laissez votre nom, votre numéro et votre message après le bip."
              if language.startswith("fr") else
              "No one is available. Please leave your name, number and message after the tone.", language)
    response.record(action=_fallback_url("record"), method="POST", max_length=twiml.VOICEMAIL_SECONDS,
                    play_beep=True, finish_on_key="#")
    response.hangup()
    return response


def _log_fallback_call() -> None:
    """A call the fallback takes is in the contact log like any other (a start logged before by
    the voice webhook stays: the earlier start is kept)."""
    call_sid = form_text("CallSid")
    if not call_sid or request.form.get("Direction", "inbound") != "inbound":
        return
    try:
        contact_log().record(log.CallStart(call_sid, _directory_practice(form_text("To")) or "",
                                          form_text("From") or "unknown", form_text("To"), now(), False, "fallback",
                                          ()))
    except Exception:  # noqa: BLE001 - the fallback answers whatever the log does
        logger.exception("the fallback's call could not be logged")


def _directory_practice(number: str) -> str | None:
    try:
        return snapshots().practice_id_for_number(number)
    except Exception:  # noqa: BLE001 - a status callback or a fallback answers whatever this does
        logger.exception("the practice of a number could not be looked up")
        return None


def _fallback_entry() -> dict[str, Any] | None:
    """What the directory says of the practice called (its lines and first office, its language):
    no database read beyond the directory's, and its copy on disk when the database is down."""
    try:
        directory = snapshots().directory()
        ident = directory.by_number.get(form_text("To"))
        return directory.practices.get(ident) if ident else None
    except Exception:  # noqa: BLE001 - the fallback must answer even when this fails
        logger.exception("fallback: the practice could not be found")
        return None
