"""The cases found when Relève was tried from outside: each webhook answers, on the right leg, and
gets the caller somewhere, whatever it is sent and whatever fails."""
from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from coverage.store import tables
from tests.conftest import build_app
from tests.routing.conftest import BASE, TOKEN, Twilio, incoming

DURING_VACATION = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)   # Monday 10:00 in Paris
TUESDAY_MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)   # open
MARTIN, PERMANENCE = "+33142001122", "+33970001234"
DIAL = "/twilio/voice/dial?practice=cabinet-dupont&chain=cabinet-martin,permanence-sante&step=0"
WHISPER = "/twilio/voice/whisper?practice=cabinet-dupont&chain=cabinet-martin,permanence-sante&step=0"


def _verbs(document: ElementTree.Element) -> list[str]:
    return [verb.tag for verb in document]


def _calls(app):
    with app.extensions["releve.db"].begin() as connection:
        return list(connection.execute(select(tables.calls)))


def test_a_twenty_digit_duration_is_no_duration_and_the_call_is_still_logged(app, twilio, clock):
    clock.now = DURING_VACATION
    twilio.twiml("/twilio/voice", incoming())

    after = twilio.twiml(DIAL, {**incoming(), "DialCallStatus": "no-answer", "DialCallDuration": "9" * 20})
    status = twilio.post("/twilio/voice/status", {**incoming(), "CallStatus": "completed", "CallDuration": "9" * 20})

    assert after.find("Dial/Number").text == PERMANENCE
    assert status.status_code == 204
    [call] = _calls(app)
    assert (call.status, call.duration_seconds) == ("completed", None)


def test_an_error_code_that_only_looks_like_a_digit_is_no_error_code(app, twilio):
    answer = twilio.post("/twilio/sms/status", {"MessageSid": "SM1", "MessageStatus": "failed", "ErrorCode": "²"})

    assert answer.status_code == 204


def test_a_control_character_in_the_callers_number_keeps_the_twiml_well_formed(app, twilio, clock):
    clock.now = DURING_VACATION

    answer = twilio.post("/twilio/voice", incoming(caller="+3369876\x015432"))

    document = ElementTree.fromstring(answer.get_data())  # well-formed
    assert document.find("Dial").attrib["callerId"] == "+33186951234"


def test_a_caller_that_is_no_phone_number_is_neither_passed_on_nor_texted(app, twilio, clock):
    clock.now = TUESDAY_MORNING
    for index, caller in enumerate(["client:alice", "sip:alice@example.org", "+123456789"]):
        sid = f"CA{index:032d}"
        desk = twilio.twiml("/twilio/voice", incoming(call_sid=sid, caller=caller))
        assert desk.find("Dial").attrib["callerId"] == "+33186951234"
        twilio.twiml(desk.find("Dial").attrib["action"].removeprefix(BASE),
                     {**incoming(call_sid=sid, caller=caller), "DialCallStatus": "no-answer"})

    with app.extensions["releve.db"].begin() as connection:
        assert connection.execute(select(tables.messages)).all() == []  # no missed-call text to any of them


def test_an_error_in_the_whisper_connects_or_hangs_up_the_offices_leg_never_more(app, twilio, clock, monkeypatch):
    clock.now = DURING_VACATION
    monkeypatch.setattr("routing.twiml.whisper", lambda *args: 1 / 0)
    leg = {**incoming(call_sid="CAleg"), "ParentCallSid": incoming()["CallSid"], "Direction": "outbound-dial"}

    whisper = twilio.twiml(WHISPER, leg)
    monkeypatch.setattr("routing.voice.contact_log", lambda: 1 / 0)
    accepted = twilio.twiml(WHISPER.replace("/whisper?", "/whisper/answer?"), {**leg, "Digits": "1"})
    declined = twilio.twiml(WHISPER.replace("/whisper?", "/whisper/answer?"), {**leg, "Digits": "7"})

    assert _verbs(whisper) == [] and _verbs(accepted) == []   # connected
    assert _verbs(declined) == ["Hangup"]                      # not accepted: the caller goes on


def _lock(app):
    other = sqlite3.connect(app.extensions["releve.db"].path, timeout=0, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    return other


def test_when_the_dial_result_cannot_be_written_the_next_office_is_dialled(example_settings, tmp_path, clock):
    app = build_app(example_settings, tmp_path, clock, TWILIO_AUTH_TOKEN=TOKEN, RELEVE_PUBLIC_URLS=(BASE,),
                    RELEVE_DATABASE_TIMEOUT=0.2)
    twilio = Twilio(app)
    clock.now = DURING_VACATION
    twilio.twiml("/twilio/voice", incoming())
    other = _lock(app)

    after = twilio.twiml(DIAL, {**incoming(), "DialCallStatus": "no-answer"})
    done = twilio.twiml(DIAL, {**incoming(call_sid="CA2"), "DialCallStatus": "completed", "DialBridged": "true",
                               "DialCallDuration": "184"})

    assert [n.text for n in after.findall("Dial/Number")] == [PERMANENCE]  # the next office, not the front desk
    assert _verbs(done) == ["Hangup"]  # a conversation that took place is over: nobody is dialled again
    other.execute("ROLLBACK")


def test_when_the_voicemail_cannot_be_written_the_caller_is_thanked_and_the_recording_kept(
        example_settings, tmp_path, clock):
    app = build_app(example_settings, tmp_path, clock, TWILIO_AUTH_TOKEN=TOKEN, RELEVE_PUBLIC_URLS=(BASE,),
                    RELEVE_DATABASE_TIMEOUT=0.2)
    twilio = Twilio(app)
    clock.now = DURING_VACATION
    twilio.twiml("/twilio/voice", incoming())
    other = _lock(app)

    thanks = twilio.twiml("/twilio/voice/recorded?practice=cabinet-dupont", {
        **incoming(), "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1",
        "RecordingDuration": "23", "RecordingSid": "RE1"})
    other.execute("ROLLBACK")
    app.extensions["releve.contact_log"].replay()

    assert _verbs(thanks) == ["Say", "Hangup"]
    assert thanks.find("Say").text == "Merci, votre message est enregistré. Au revoir."
    [call] = _calls(app)
    assert (call.outcome, call.recording_seconds, call.recording_sid) == ("voicemail", 23, "RE1")


def test_an_office_that_must_accept_and_pressed_nothing_never_takes_the_call(example_settings, tmp_path, clock):
    offices = {**example_settings.offices,
               "cabinet-martin": replace(example_settings.offices["cabinet-martin"], ask_to_accept=True)}
    app = build_app(replace(example_settings, offices=offices), tmp_path, clock, TWILIO_AUTH_TOKEN=TOKEN,
                    RELEVE_PUBLIC_URLS=(BASE,))
    twilio = Twilio(app)
    clock.now = DURING_VACATION
    twilio.twiml("/twilio/voice", incoming())
    twilio.twiml(WHISPER, {**incoming(call_sid="CAleg"), "ParentCallSid": incoming()["CallSid"]})

    # The office's own voicemail picked up and heard the whisper; nobody pressed 1. Twilio says
    # "completed", and even that it was bridged: what Relève saw decides.
    for bridged in ("true", "false", None):
        form = {**incoming(), "DialCallStatus": "completed", "DialCallDuration": "9"}
        if bridged:
            form["DialBridged"] = bridged
        after = twilio.twiml(DIAL, form)
        assert [n.text for n in after.findall("Dial/Number")] == [PERMANENCE], bridged

    accepted = twilio.twiml(WHISPER.replace("/whisper?", "/whisper/answer?"),
                            {**incoming(call_sid="CAleg2"), "ParentCallSid": "CA-second", "Digits": "1"})
    taken = twilio.twiml(DIAL, {**incoming(call_sid="CA-second"), "DialCallStatus": "completed"})
    assert _verbs(accepted) == [] and _verbs(taken) == ["Hangup"]


def test_a_text_left_unhandled_is_handled_by_the_sweep(app, twilio, clock, monkeypatch):
    clock.now = DURING_VACATION
    monkeypatch.setattr("routing.sms.handle_text", lambda *args: 1 / 0)
    twilio.post("/twilio/sms", {"MessageSid": "SM" + "7" * 32, "From": "+33698765432", "To": "+33186951234",
                                "Body": "Bonjour, une question", "NumMedia": "0"})
    monkeypatch.undo()

    clock.now = DURING_VACATION.replace(minute=5)  # Twilio never retried; the sweep runs a minute later
    app.extensions["releve.sweep_texts"]()

    with app.extensions["releve.db"].begin() as connection:
        text = connection.execute(select(tables.texts)).one()
        purposes = connection.execute(select(tables.messages.c.purpose)).scalars().all()
    assert text.handling == "forwarded" and sorted(purposes) == ["auto_reply", "forward"]
