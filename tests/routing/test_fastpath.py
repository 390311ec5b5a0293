"""The incoming-call webhook answered beside Flask (routing.fastpath) answers exactly as the
webhook does, or leaves the request to it: a caller, Twilio and an attacker see no difference."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from routing.fastpath import IncomingCalls
from tests.routing.conftest import BASE, TOKEN, Twilio, incoming

DURING_VACATION = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
TUESDAY_MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WEDNESDAY_NIGHT = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)

CASES = {
    "open": (TUESDAY_MORNING, incoming(call_sid="CA01"), {}),
    "vacation": (DURING_VACATION, incoming(call_sid="CA02"), {}),
    "night": (WEDNESDAY_NIGHT, incoming(call_sid="CA03"), {}),
    "withheld number": (DURING_VACATION, incoming(call_sid="CA04", caller="anonymous"), {}),
    "quebec clinic": (DURING_VACATION, incoming(call_sid="CA05", to="+14384012290"), {}),
    "a number nobody has": (DURING_VACATION, incoming(call_sid="CA06", to="+33100000000"), {}),
    "no CallSid": (DURING_VACATION, {"To": "+33186951234", "From": "+33698765432"}, {}),
    "unsigned": (DURING_VACATION, incoming(call_sid="CA07"), {"token": None}),
    "another token": (DURING_VACATION, incoming(call_sid="CA08"), {"token": "not-our-token"}),
    "signed for another host": (DURING_VACATION, incoming(call_sid="CA09"),
                                {"signed_url": "https://staging.example.net/twilio/voice"}),
    "accents and markup in a field": (DURING_VACATION, {**incoming(call_sid="CA10"), "CallerName": "Zoé <&> \""}, {}),
}


def _answers(app, clock, through_flask_only: bool, monkeypatch) -> dict[str, tuple[int, str, dict[str, str]]]:
    reached_flask: list[str] = []
    inner = app.wsgi_app.inner if isinstance(app.wsgi_app, IncomingCalls) else None
    assert inner is not None, "the incoming calls are answered beside Flask"

    def counting(environ, start_response):
        reached_flask.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    monkeypatch.setattr(app.wsgi_app, "inner", counting)
    if through_flask_only:
        monkeypatch.setattr(IncomingCalls, "_answer", lambda self, environ, body: None)
    twilio = Twilio(app)
    found = {}
    for name, (at, form, options) in CASES.items():
        clock.now = at
        answer = twilio.post("/twilio/voice", form, **options)
        headers = {k: v for k, v in answer.headers.items() if k not in ("Set-Cookie", "Vary")}
        found[name] = (answer.status_code, answer.get_data(as_text=True), headers)
    found["reached flask"] = (len(reached_flask), "", {})
    return found


def test_each_incoming_call_gets_the_same_answer_with_or_without_the_fast_path(app, clock, monkeypatch):
    fast = _answers(app, clock, False, monkeypatch)
    monkeypatch.undo()
    slow = _answers(app, clock, True, monkeypatch)

    for name in CASES:
        assert fast[name] == slow[name], name
    assert fast["vacation"][0] == 200 and "cabinet du docteur Martin" in fast["vacation"][1]
    assert fast["unsigned"][0] == 403 and fast["another token"][0] == 403
    assert "<Record" in fast["a number nobody has"][1] or "<Dial" in fast["a number nobody has"][1]
    # Only the requests out of the ordinary went through Flask: the refused, the unknown number,
    # the call without a CallSid.
    assert fast["reached flask"][0] == 5
    assert slow["reached flask"][0] == len(CASES)


def test_a_call_answered_by_the_fast_path_is_in_the_contact_log(app, twilio, clock):
    clock.now = DURING_VACATION
    twilio.post("/twilio/voice", incoming(call_sid="CA11"))  # the first request of the process

    document = twilio.twiml("/twilio/voice", incoming(call_sid="CA12", caller="+33611223344"))

    assert document.find("Dial/Number").text == "+33142001122"
    app.extensions["releve.contact_log"].flush()
    from coverage.store import tables
    with app.extensions["releve.db"].begin() as connection:
        calls = {row.call_sid: row for row in connection.execute(tables.calls.select())}
    assert calls["CA12"].caller == "+33611223344" and calls["CA12"].was_open is False


def test_when_the_answer_fails_the_fast_path_leaves_the_call_to_the_webhook_and_its_fallback(app, twilio, clock,
                                                                                             monkeypatch, caplog):
    clock.now = DURING_VACATION
    monkeypatch.setattr("routing.voice._incoming_twiml", lambda *args: 1 / 0)

    document = twilio.twiml("/twilio/voice", incoming(call_sid="CA13"))
    again = twilio.twiml("/twilio/voice", incoming(call_sid="CA14"))

    for answer in (document, again):  # the practice's lines and its first office, rung together
        assert [n.text for n in answer.findall("Dial/Number")] == ["+33145678910", "+33142001122"]
    assert "voice webhook /twilio/voice failed" in caplog.text


@pytest.mark.parametrize("body_headers", [{"Content-Type": "text/plain"}, {"Transfer-Encoding": "chunked"}])
def test_an_unusual_request_is_left_to_flask(app, clock, body_headers):
    clock.now = DURING_VACATION
    client = app.test_client()
    answer = client.post(BASE + "/twilio/voice", data=b"To=%2B33186951234", headers=body_headers)

    assert answer.status_code == 403  # not signed: refused, as the webhook refuses it
    assert TOKEN not in answer.get_data(as_text=True)


def test_a_web_process_works_out_every_practices_answer_ahead_and_calls_then_hear_the_same(app, twilio, clock):
    from routing.voice import hold_every_answer

    clock.now = DURING_VACATION
    expected = twilio.post("/twilio/voice", incoming(call_sid="CA15")).get_data(as_text=True)
    app.extensions["releve.answers"].clear()

    assert hold_every_answer(app) == len(app.extensions["releve.snapshots"].directory().practices)
    assert twilio.post("/twilio/voice", incoming(call_sid="CA16")).get_data(as_text=True) == expected


def test_a_held_answer_is_left_when_the_practice_reopens_or_is_closed_by_hand(app, twilio, clock):
    clock.now = datetime(2027, 1, 8, 22, 59, tzinfo=UTC)  # the last minute of the vacation's night
    before = twilio.twiml("/twilio/voice", incoming(call_sid="CA17"))
    clock.now = datetime(2027, 1, 9, 8, 0, tzinfo=UTC)    # Saturday 9:00 in Paris: open again
    after = twilio.twiml("/twilio/voice", incoming(call_sid="CA18"))

    assert before.find("Say") is not None and after.find("Say") is None
    assert [n.text for n in after.findall("Dial/Number")] == ["+33145678910"]

    from coverage.store import closings
    with app.extensions["releve.db"].begin() as connection:  # « Fermer maintenant », until 11:00
        closings.add(connection, "cabinet-dupont", clock.now, datetime(2027, 1, 9, 10, 0, tzinfo=UTC), "Urgence",
                     (), "sophie")
    app.extensions["releve.snapshots"].expire()
    closed = twilio.twiml("/twilio/voice", incoming(call_sid="CA19"))

    # Closed by hand until 11:00 (« Urgence » is not a reason a caller is read out).
    assert "est fermé. Nous rouvrirons à 11 heures." in closed.find("Say").text
