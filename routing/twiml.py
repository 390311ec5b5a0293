"""TwiML for calls, always built with the twilio library (it escapes text and stays valid XML).

The library emits any unknown keyword as an attribute without complaint, so every verb is built
here, once, with keywords checked against Twilio's documentation. What is said comes from
coverage.wording; here is only how it is said (the voice) and where the call goes next.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode

from flask import current_app, has_request_context, request, url_for
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse  # type: ignore[import-untyped]

from config.settings import CoveringOffice, Practice, Settings
from coverage.wording.greetings import greeting, office_template, voicemail_text, whisper_text

VOICEMAIL_SECONDS = 180
URGENT_SECONDS = 2   # how long a caller has to press 1 after the voicemail's words

# <Say> voice per language. The voice must match the `language` attribute or <Say> fails;
# Polly has no Canadian English voice, so en-CA is spoken as en-US.
VOICES = {
    "fr-FR": ("fr-FR", "Polly.Lea-Neural"),
    "fr-CA": ("fr-CA", "Polly.Gabrielle-Neural"),
    "en-US": ("en-US", "Polly.Joanna-Neural"),
    "en-CA": ("en-US", "Polly.Joanna-Neural"),
    "en-GB": ("en-GB", "Polly.Amy-Neural"),
}
# Characters XML 1.0 cannot hold at all, even escaped: a document with one is refused (12100).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def action_url(endpoint: str, **params: object) -> str:
    """url_for, with the endpoint's path looked up once: a call's TwiML holds several of these.
    Without a request (routing.fastpath answers only at the root of the site), the path is built
    from the app's URL map."""
    root = request.script_root if has_request_context() else ""
    paths: dict[tuple[str, str], str] = current_app.extensions.setdefault("releve.paths", {})
    path = paths.get((endpoint, root))
    if path is None:
        path = paths[endpoint, root] = (url_for(endpoint) if has_request_context()
                                        else current_app.url_map.bind("localhost").build(endpoint))
    return f"{path}?{urlencode(params, safe=',')}" if params else path


def say(response: VoiceResponse | Gather, text: str, language: str) -> None:
    say_language, voice = VOICES[language]
    response.say(_NOT_XML.sub("", text), language=say_language, voice=voice)


def ring_front_desk(practice: Practice, caller_id: str) -> VoiceResponse:
    """Open: ring every front-desk line at once; no answer goes to the dial-result handler."""
    response = VoiceResponse()
    dial = Dial(action=action_url("routing.dial_result", practice=practice.id, step=0, desk=1),
                method="POST", timeout=practice.ring_seconds, answer_on_bridge=True, caller_id=caller_id)
    for number in practice.front_desk:
        dial.number(number)
    response.append(dial)
    return response


def dial_office(response: VoiceResponse, settings: Settings, practice: Practice, chain: tuple[str, ...],
                step: int, caller_id: str) -> None:
    """Dial the office at `step` of the chain, with the whisper before it is connected.

    The chain travels in the URLs: a call keeps the chain it started with even if the calendar
    changes meanwhile, and Twilio's signature covers the URL, so it cannot be tampered with.
    """
    office = settings.offices[chain[step]]
    where = {"practice": practice.id, "chain": ",".join(chain), "step": step}
    dial = Dial(action=action_url("routing.dial_result", **where), method="POST", timeout=office.ring_seconds,
                answer_on_bridge=True, caller_id=caller_id)
    dial.number(office.phone, url=action_url("routing.whisper", **where), method="POST")
    response.append(dial)


def whisper(settings: Settings, practice: Practice, office: CoveringOffice, reopens_at: datetime | None,
            now: datetime, accept_url: str) -> VoiceResponse:
    """What the covering office hears before it is connected; optionally, press 1 to accept."""
    response = VoiceResponse()
    text = whisper_text(settings, practice, office, reopens_at, now)
    if not office.ask_to_accept:
        say(response, text, office.language)
        return response  # the end of the whisper connects the call
    gather = Gather(num_digits=1, timeout=8, action=accept_url, method="POST")
    say(gather, text, office.language)
    say(gather, office_template(settings, office, "accept_prompt"), office.language)
    response.append(gather)
    # No key pressed (a voicemail greeting, a machine): hang up the office's leg; Twilio counts
    # the dial as not answered and the caller's call goes on to the next office. (A whisper may
    # only hold <Say>, <Play>, <Gather> and <Hangup>.)
    response.hangup()
    return response


def hang_up() -> VoiceResponse:
    """End this leg: for an office's leg, "not accepted"; for a caller, the end of the call."""
    response = VoiceResponse()
    response.hangup()
    return response


def voicemail(settings: Settings, practice: Practice, chain: tuple[str, ...], *, is_open: bool,
              reopens_at: datetime | None = None, now: datetime | None = None) -> VoiceResponse:
    """The last resort: a message after the beep, said when it will be heard."""
    response = VoiceResponse()
    # A key pressed while it is said goes to routing.voice.urgent ("1": possibly urgent); without
    # one, Twilio goes on to the recording.
    gather = Gather(input="dtmf", num_digits=1, timeout=URGENT_SECONDS, method="POST",
                    action=action_url("routing.urgent", practice=practice.id), action_on_empty_result=False)
    say(gather, voicemail_text(settings, practice, chain, is_open=is_open, reopens_at=reopens_at, now=now),
        practice.language)
    say(gather, greeting(settings, practice, "urgent_prompt"), practice.language)
    response.append(gather)
    return record_voicemail(response, settings, practice)


def record_voicemail(response: VoiceResponse, settings: Settings, practice: Practice, *,
                     urgent: bool = False) -> VoiceResponse:
    """The beep and the recording (`urgent`: the caller pressed 1); a goodbye when nothing was said."""
    params: dict[str, object] = {"practice": practice.id, **({"urgent": 1} if urgent else {})}
    response.record(action=action_url("routing.recorded", **params), method="POST",
                    max_length=VOICEMAIL_SECONDS, play_beep=True, finish_on_key="#", timeout=10)
    # Twilio goes on here only when nothing was recorded.
    say(response, greeting(settings, practice, "no_message"), practice.language)
    response.hangup()
    return response
