"""Playing a call through the real webhooks, as Twilio would: `flask --app app call simulate`.

The simulator signs every request as Twilio does, follows every `action` and `url`, plays the
whisper on the covering office's side, and reports what the caller hears and where the call
goes. The tests use it too, so that a conversation is checked end to end.
"""
from __future__ import annotations

import secrets
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from config import ConfigError
from coverage.cli import _parse_when, read_now
from coverage.snapshots import Snapshots
from coverage.store.spool import ContactLog
from routing.signature import public_bases

OUTCOMES = ("completed", "declined", "no-answer", "busy", "failed")
WHISPER_VERBS = {"Say", "Play", "Pause", "Gather", "Hangup"}


class TwimlError(AssertionError):
    """The app answered something Twilio would refuse or a caller would be stranded by."""


@dataclass
class CallTranscript:
    """What happened, step by step, and how the call ended."""

    lines: list[str] = field(default_factory=list)
    ended_with: str = "silence"   # "person", "voicemail", "silence"
    reached: str | None = None    # the number of the person reached
    requests: int = 0
    call_sid: str = ""


class CallSimulator:
    """Drives the voice webhooks of `app` like Twilio, one call at a time."""

    def __init__(self, app: Flask, token: str, names: dict[str, str] | None = None,
                 before_request: Callable[[int], None] | None = None, press: str = "") -> None:
        self.client: FlaskClient = app.test_client()
        self.press = press   # the key the caller presses when asked (a voicemail's "1": urgent)
        self.validator = RequestValidator(token)
        self.names = names or {}
        # Called with the request's number in the call (0 for the incoming call) before it is sent:
        # tests break the database there, in the middle of a call.
        self.before_request = before_request
        with app.app_context():
            self.base = public_bases()[0]  # signed for the address this deployment serves

    def post(self, url: str, form: dict[str, str]) -> ElementTree.Element:
        """POST a webhook signed as Twilio signs it; return the TwiML document."""
        absolute = url if url.startswith("http") else self.base + url
        signature = self.validator.compute_signature(absolute, form)
        answer = self.client.post(absolute, data=form, headers={"X-Twilio-Signature": signature})
        if answer.status_code != 200 or not (answer.mimetype or "").endswith("xml"):
            raise TwimlError(f"{url} answered {answer.status_code} {answer.mimetype}: {answer.get_data(as_text=True)[:200]}")
        try:
            document = ElementTree.fromstring(answer.get_data())
        except ElementTree.ParseError as exc:
            raise TwimlError(f"{url} answered invalid XML: {exc}") from None
        if document.tag != "Response":
            raise TwimlError(f"{url} answered <{document.tag}>, not <Response>")
        return document

    def call(self, to: str, caller: str, outcomes: list[str]) -> CallTranscript:
        """Play one call to `to` from `caller`; each <Dial> takes the next outcome (default no-answer)."""
        call_sid = "CA" + secrets.token_hex(16)
        transcript = CallTranscript(call_sid=call_sid)
        pending = iter(outcomes)
        form = {"CallSid": call_sid, "AccountSid": "AC" + "0" * 32, "From": caller, "To": to,
                "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01"}
        url = "/twilio/voice"
        document: ElementTree.Element | None = self._request(transcript, url, form)
        while document is not None and transcript.requests < 60:
            document = self._play(transcript, document, form, pending)
        self._request_status(call_sid, form)
        return transcript

    def _request(self, transcript: CallTranscript, url: str, form: dict[str, str]) -> ElementTree.Element:
        if self.before_request is not None:
            self.before_request(transcript.requests)
        transcript.requests += 1
        return self.post(url, form)

    def _play(self, transcript: CallTranscript, document: ElementTree.Element, form: dict[str, str],
              pending: Iterator[str]) -> ElementTree.Element | None:
        """Play a document's verbs in order; return the next document, or None when the call ends."""
        for verb in document:
            if verb.tag == "Say":
                transcript.lines.append(f'the caller hears: "{verb.text}"')
            elif verb.tag == "Dial":
                next_document = self._dial(transcript, verb, form, next(pending, "no-answer"))
                if next_document is not None or transcript.ended_with == "person":
                    return next_document
            elif verb.tag == "Record":
                transcript.lines.append("the caller leaves a voicemail after the beep")
                transcript.ended_with = "voicemail"
                return self._request(transcript, verb.attrib["action"], {
                    **form, "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{form['AccountSid']}"
                    f"/Recordings/RE{secrets.token_hex(16)}", "RecordingDuration": "14", "RecordingSid": "RE1"})
            elif verb.tag == "Redirect":
                return self._request(transcript, verb.text or "", form)
            elif verb.tag == "Hangup":
                transcript.lines.append("the call ends")
                return None
            elif verb.tag == "Gather":
                for said in verb.findall("Say"):
                    transcript.lines.append(f'the caller hears: "{said.text}"')
                if self.press:
                    transcript.lines.append(f"the caller presses {self.press}")
                    return self._request(transcript, verb.attrib["action"], {**form, "Digits": self.press})
                transcript.lines.append("the caller presses no key")
            else:
                raise TwimlError(f"unexpected verb <{verb.tag}> in the caller's call")
        transcript.lines.append("the call ends (end of the document)")
        return None

    def _dial(self, transcript: CallTranscript, dial: ElementTree.Element, form: dict[str, str],
              outcome: str) -> ElementTree.Element | None:
        numbers = [number.text or "" for number in dial.findall("Number")]
        if not numbers:
            raise TwimlError("<Dial> without a <Number>")
        who = ", ".join(f"{self.names.get(n, n)} ({n})" for n in numbers)
        transcript.lines.append(f"Twilio dials {who}: {outcome}")
        picked_up = outcome in ("completed", "declined")
        bridged = picked_up
        if picked_up:
            for number in dial.findall("Number"):
                if "url" in number.attrib:
                    bridged = self._whisper(transcript, number, form, accept=outcome == "completed")
        if bridged:
            transcript.lines.append(f"connected: the caller is talking to {self.names.get(numbers[0], numbers[0])}")
            transcript.ended_with, transcript.reached = "person", numbers[0]
        status = "completed" if picked_up else outcome
        if "action" not in dial.attrib:
            return None if bridged else ElementTree.Element("Response")
        return self._request(transcript, dial.attrib["action"], {
            **form, "DialCallStatus": status, "DialCallSid": "CA" + secrets.token_hex(16),
            "DialCallDuration": "95" if bridged else "0", "DialBridged": "true" if bridged else "false"})

    def _whisper(self, transcript: CallTranscript, number: ElementTree.Element, form: dict[str, str],
                 accept: bool) -> bool:
        """The covering office's side: the whisper, and pressing 1 when asked. True if connected."""
        leg = {"CallSid": "CA" + secrets.token_hex(16), "ParentCallSid": form["CallSid"], "AccountSid": form["AccountSid"],
               "From": form["From"], "To": number.text or "", "Direction": "outbound-dial", "CallStatus": "in-progress"}
        document = self._request(transcript, number.attrib["url"], leg)
        while True:
            for verb in document:
                if verb.tag not in WHISPER_VERBS:
                    raise TwimlError(f"<{verb.tag}> is not allowed in a whisper")
                if verb.tag == "Say":
                    transcript.lines.append(f'the office hears: "{verb.text}"')
                elif verb.tag == "Gather":
                    for said in verb.findall("Say"):
                        transcript.lines.append(f'the office hears: "{said.text}"')
                    if accept:
                        transcript.lines.append("the office presses 1")
                        document = self._request(transcript, verb.attrib["action"], {**leg, "Digits": "1"})
                        break
                    transcript.lines.append("nobody presses a key (a voicemail or a machine answered)")
                elif verb.tag == "Hangup":
                    transcript.lines.append("the office's leg hangs up: not accepted")
                    return False
            else:
                return True  # the whisper ended: Twilio connects the call

    def _request_status(self, call_sid: str, form: dict[str, str]) -> None:
        status = {**form, "CallStatus": "completed", "CallDuration": "120"}
        signature = self.validator.compute_signature(self.base + "/twilio/voice/status", status)
        answer = self.client.post(self.base + "/twilio/voice/status", data=status,
                                  headers={"X-Twilio-Signature": signature})
        if answer.status_code not in (200, 204):
            raise TwimlError(f"status callback answered {answer.status_code}")


@contextmanager
def simulation(app: Flask, at: datetime | None, keep_log: bool, found: Snapshots) -> Iterator[str]:
    """A token to sign with, the clock at `at`, the practices as read for `at` (`found`), and
    (unless asked) a throwaway contact log."""
    saved = {k: app.config.get(k) for k in ("TWILIO_AUTH_TOKEN", "RELEVE_CLOCK")}
    saved_extensions = {k: app.extensions[k] for k in ("releve.db", "releve.contact_log", "releve.snapshots")}
    token = app.config.get("TWILIO_AUTH_TOKEN") or secrets.token_hex(16)
    app.config.update(TWILIO_AUTH_TOKEN=token)
    if at is not None:
        app.config["RELEVE_CLOCK"] = lambda: at
    app.extensions["releve.snapshots"] = found
    if not keep_log:
        app.extensions["releve.db"] = found.store
        app.extensions["releve.contact_log"] = ContactLog(found.store, None)
    try:
        yield token
    finally:
        app.config.update(saved)
        app.extensions.update(saved_extensions)


call_cli = AppGroup("call", help="Try calls without a phone.")


@call_cli.command("simulate")
@click.option("--practice", "practice_id", required=True, help="The practice called.")
@click.option("--at", "when", default="now", show_default=True,
              help="When: 2026-12-28T10:00 (the practice's local time), with an offset, or now.")
@click.option("--outcomes", default="", help=f"What each dial does, in order, comma-separated: {', '.join(OUTCOMES)} "
              "(default: no-answer).")
@click.option("--from", "caller", default="+33698765432", show_default=True, help="The caller's number, or anonymous.")
@click.option("--record", is_flag=True, help="Write the simulated call to the real contact log.")
@click.option("--press", default="", help="The key the caller presses when asked (1: the voicemail is urgent).")
def simulate_command(practice_id: str, when: str, outcomes: str, caller: str, record: bool, press: str) -> None:
    """Play a whole call through the real webhooks; print what the caller hears and where it goes."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        from config import load_settings  # only this command reads the YAML

        settings = app.config["RELEVE_SETTINGS"] or load_settings(app.config["RELEVE_CONFIG_PATH"])
    except ConfigError:
        click.echo("the configuration cannot be used: run `flask --app app config check`", err=True)
        sys.exit(1)
    try:
        practice = settings.practice(practice_id)
    except KeyError:
        raise click.BadParameter(f'no practice "{practice_id}"', param_hint="--practice") from None
    chosen = [o.strip() for o in outcomes.split(",") if o.strip()]
    for outcome in chosen:
        if outcome not in OUTCOMES:
            raise click.BadParameter(f'"{outcome}" is not one of {", ".join(OUTCOMES)}', param_hint="--outcomes")
    at = _parse_when(when, practice, current_app.config["RELEVE_CLOCK"]())
    found = read_now(app, at, settings)
    names = {o.phone: o.name.written for o in settings.offices.values()}
    names.update({n: f"{practice.name.written}, front desk" for n in practice.front_desk})
    with simulation(app, at, record, found) as token:
        transcript = CallSimulator(app, token, names, press=press).call(practice.numbers[0], caller, chosen)
    click.echo(f"call from {caller} to {practice.name.written} ({practice.numbers[0]}), {at.isoformat()}:")
    for line in transcript.lines:
        click.echo(f"  {line}")
    ended = {"person": f"a person: {names.get(transcript.reached or '', transcript.reached)}",
             "voicemail": "a recorded voicemail", "silence": "nobody (this is a bug)"}[transcript.ended_with]
    click.echo(f"the call ended with {ended}")
    if transcript.ended_with == "silence":
        sys.exit(2)
