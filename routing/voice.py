"""The Twilio voice webhooks: an incoming call reaches the front desk, a covering office, or a
voicemail; never a dead end.

While a caller is on the line every answer is valid TwiML that gets them somewhere: an error in
any step falls back to ringing the practice's lines and its first covering office together, then
a voicemail (`fallback_response`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, url_for
from twilio.twiml.voice_response import Dial, VoiceResponse  # type: ignore[import-untyped]

from config.settings import Practice, Settings
from coverage import contacts
from coverage.flask import get_registry
from routing import outbound, texts, twiml
from routing.greetings import spoken_reopening
from routing.signature import twilio_signed

logger = logging.getLogger(__name__)

blueprint = Blueprint("routing", __name__)

# Twilio's values for a withheld number: never a caller ID to pass on, never a number to text.
WITHHELD = {"anonymous", "unknown", "restricted", "private", ""}


def _xml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def _now() -> datetime:
    now: datetime = current_app.config["RELEVE_CLOCK"]()
    return now


def _db() -> Any:
    return current_app.extensions["releve.db"]


def _settings() -> Settings:
    settings = get_registry().settings
    if settings is None:
        raise LookupError("no usable configuration")
    return settings


def _field(name: str) -> str:
    value = request.form.get(name, "").strip()
    if not value:
        raise KeyError(f"missing form field {name}")
    return value


def _chain() -> tuple[str, ...]:
    return tuple(office for office in request.args.get("chain", "").split(",") if office)


def _step() -> int:
    return int(request.args.get("step", "0"))


def on_the_line(view: Callable[..., Response]) -> Callable[..., Response]:
    """A caller is waiting: whatever goes wrong, answer with TwiML that reaches someone."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except Exception:  # noqa: BLE001 - the caller must never hear Twilio's error message
            logger.exception("voice webhook %s failed; the caller gets the fallback", request.path)
            return _xml(fallback_response())

    return guarded


def caller_id_for(practice: Practice, caller: str) -> str:
    """Forward with the caller's number, so the covering office sees who calls; withheld numbers
    cannot be passed on, and the practice's own number is shown instead."""
    return practice.numbers[0] if caller.lower() in WITHHELD else caller


@blueprint.post("/voice")
@twilio_signed
@on_the_line
def incoming_call() -> Response:
    """A call to a practice's number: front desk when open, else greeting and covering office."""
    settings, now = _settings(), _now()
    practice = settings.practice_for_number(_field("To"))
    if practice is None:
        logger.error("call to %s, which no practice has: fallback", request.form.get("To"))
        return _xml(fallback_response())
    caller, call_sid = request.form.get("From", "unknown"), _field("CallSid")
    answer = get_registry().answer(practice.id, now)
    reason = None if answer.is_open else (answer.reason or "") if answer.closure else "outside_hours"
    with _db().begin() as connection:
        contacts.record_call(connection, contacts.CallStart(
            call_sid, practice.id, caller, practice.numbers[0], now, answer.is_open, reason, answer.chain))
    if answer.is_open:
        return _xml(twiml.ring_front_desk(practice, caller_id_for(practice, caller)))
    response = VoiceResponse()
    twiml.say(response, twiml.closed_greeting(settings, practice, answer, now), practice.language)
    twiml.dial_office(response, settings, practice, answer.chain, 0, caller_id_for(practice, caller))
    return _xml(response)


@blueprint.post("/voice/whisper")
@twilio_signed
@on_the_line
def whisper() -> Response:
    """Heard by the covering office when it picks up, before the caller is connected."""
    settings, now = _settings(), _now()
    practice = settings.practice(request.args["practice"])
    office = settings.offices[_chain()[_step()]]
    answer = get_registry().answer(practice.id, now)
    reopening = spoken_reopening(answer.reopens_at, now, office.language, with_time=False)
    accept_url = twiml.action_url("routing.whisper_answer", practice=practice.id, chain=",".join(_chain()), step=_step())
    return _xml(twiml.whisper(settings, practice, office, reopening, accept_url))


@blueprint.post("/voice/whisper/answer")
@twilio_signed
@on_the_line
def whisper_answer() -> Response:
    """1 pressed: connect. Anything else, or nothing: the office's leg hangs up, the caller goes on."""
    if request.form.get("Digits") == "1":
        return _xml(VoiceResponse())
    office = _settings().offices[_chain()[_step()]]
    with _db().begin() as connection:
        contacts.decline_leg(connection, _field("ParentCallSid"), _step(), office.id, office.phone, _now())
    response = VoiceResponse()
    response.hangup()
    return _xml(response)


@blueprint.post("/voice/dial")
@twilio_signed
@on_the_line
def dial_result() -> Response:
    """A dial ended: connected (the call is over), or try the next office, or the voicemail."""
    settings, now = _settings(), _now()
    practice = settings.practice(request.args["practice"])
    chain, step, call_sid = _chain(), _step(), _field("CallSid")
    at_desk = request.args.get("desk") == "1"
    target, number = ("front_desk", ",".join(practice.front_desk)) if at_desk else \
        (chain[step], settings.offices[chain[step]].phone)
    status = request.form.get("DialCallStatus", "failed")
    with _db().begin() as connection:
        declined = contacts.finish_leg(connection, call_sid, step, target, number, status,
                                       request.form.get("DialCallSid"), _int(request.form.get("DialCallDuration")), now)
        # A whisper that hung up (not accepted) may still be reported "completed" by Twilio.
        answered = status == "completed" and not declined and request.form.get("DialBridged") != "false"
        response = VoiceResponse()
        if answered:
            contacts.set_outcome(connection, call_sid, contacts.FRONT_DESK if at_desk else contacts.OFFICE, now,
                                 None if at_desk else chain[step])
            response.hangup()
            return _xml(response)
        if step + 1 < len(chain):
            office = settings.offices[chain[step + 1]]
            twiml.say(response, twiml.greeting(settings, practice, "next_office", office=office.name.spoken),
                      practice.language)
            twiml.dial_office(response, settings, practice, chain, step + 1,
                              caller_id_for(practice, request.form.get("From", "unknown")))
            return _xml(response)
        if at_desk:
            _text_back(connection, practice, request.form.get("From", ""), now)
    if at_desk:
        current_app.extensions["releve.dispatcher"].wake()
    return _xml(twiml.voicemail(settings, practice, chain, is_open=at_desk))


def _text_back(connection: Any, practice: Practice, caller: str, now: datetime) -> None:
    """The front desk missed a call: tell the caller the practice will call back (once a day)."""
    if caller.lower() in WITHHELD or not caller.startswith("+"):
        return
    day = now.astimezone(practice.timezone).date().isoformat()
    outbound.queue_sms(connection, practice_id=practice.id, purpose="text_back", sender=practice.numbers[0],
                       to=caller, body=texts.text(practice, "text_back"), at=now,
                       dedupe_key=f"text_back:{practice.id}:{caller}:{day}")


@blueprint.post("/voice/recorded")
@twilio_signed
@on_the_line
def recorded() -> Response:
    """A voicemail was left: keep where the recording is, thank the caller."""
    settings = _settings()
    practice = settings.practice(request.args["practice"])
    with _db().begin() as connection:
        contacts.record_voicemail(connection, _field("CallSid"), _field("RecordingUrl"),
                                  _int(request.form.get("RecordingDuration")), _now())
    response = VoiceResponse()
    twiml.say(response, twiml.greeting(settings, practice, "thanks"), practice.language)
    response.hangup()
    return _xml(response)


@blueprint.post("/voice/status")
@twilio_signed
def call_status() -> Response | tuple[str, int]:
    """Twilio's status callback: the call's final status and duration complete its record."""
    call_sid, status = request.form.get("CallSid", "").strip(), request.form.get("CallStatus", "").strip()
    if not call_sid or not status:
        abort(400, description="CallSid and CallStatus are required")
    with _db().begin() as connection:
        contacts.record_call_status(connection, call_sid, status, _int(request.form.get("CallDuration")), _now())
    return "", 204


@blueprint.post("/voice/fallback")
@twilio_signed
def fallback() -> Response:
    """The number's fallback URL, called by Twilio when the voice URL fails or times out.

    It depends on as little as possible: no database, no calendar; the configuration only if it
    is already in memory.
    """
    return _xml(fallback_response())


@blueprint.post("/voice/fallback/done")
@twilio_signed
def fallback_done() -> Response:
    """After the fallback's dial (nobody answered: a voicemail) or its recording (goodbye)."""
    response = VoiceResponse()
    if request.args.get("after") == "dial" and request.form.get("DialCallStatus") != "completed":
        return _xml(_fallback_voicemail(response))
    if request.form.get("RecordingUrl"):
        logger.warning("voicemail left through the fallback: call %s from %s, recording %s",
                       request.form.get("CallSid"), request.form.get("From"), request.form.get("RecordingUrl"))
        try:
            with _db().begin() as connection:
                contacts.record_voicemail(connection, request.form.get("CallSid", ""), request.form["RecordingUrl"],
                                          _int(request.form.get("RecordingDuration")), _now())
        except Exception:  # noqa: BLE001 - the recording is in the log and in Twilio's console
            logger.exception("the fallback voicemail could not be written to the contact log")
    response.hangup()
    return _xml(response)


def fallback_response() -> VoiceResponse:
    """Ring the practice's lines and its first covering office together; nobody: a voicemail."""
    practice, settings = _practice_for_fallback()
    numbers: list[str] = []
    if practice is not None and settings is not None:
        numbers = [*practice.front_desk, *(settings.offices[o].phone for o in practice.closure_chain[:1])]
    numbers += [n for n in current_app.config.get("RELEVE_FALLBACK_NUMBERS", ()) if n not in numbers]
    response = VoiceResponse()
    if not numbers:
        return _fallback_voicemail(response, practice)
    dial = Dial(timeout=25, answer_on_bridge=True, action=url_for("routing.fallback_done", after="dial"),
                method="POST")
    for number in numbers[:10]:  # Twilio rings at most ten numbers at once
        dial.number(number)
    response.append(dial)
    return response


def _fallback_voicemail(response: VoiceResponse, practice: Practice | None = None) -> VoiceResponse:
    if practice is None:
        practice, _ = _practice_for_fallback()
    language = practice.language if practice else "fr-FR"
    twiml.say(response, "Personne n'est disponible. Laissez votre nom, votre numéro et votre message après le bip."
              if language.startswith("fr") else
              "No one is available. Please leave your name, number and message after the tone.", language)
    response.record(action=url_for("routing.fallback_done", after="record"), method="POST",
                    max_length=twiml.VOICEMAIL_SECONDS, play_beep=True, finish_on_key="#")
    response.hangup()
    return response


def _practice_for_fallback() -> tuple[Practice | None, Settings | None]:
    try:
        settings = current_app.extensions["releve.registry"].settings
        return (settings.practice_for_number(request.form.get("To", "")) if settings else None), settings
    except Exception:  # noqa: BLE001 - the fallback must answer even when this fails
        logger.exception("fallback: the practice could not be found")
        return None, None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
