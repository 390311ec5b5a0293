"""Calls to a practice: who answers, what the caller and the covering office hear, what is logged."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app import create_app
from coverage.store import contacts, tables
from tests.reading import reading_of
from tests.routing.conftest import BASE, TOKEN, Twilio, incoming

DURING_VACATION = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)      # Monday 10:00 in Paris
TUESDAY_MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)      # open
WEDNESDAY_NIGHT = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)    # 22:30 in Paris


def _said(document: ElementTree.Element) -> str:
    return " ".join(say.text or "" for say in document.iter("Say"))


def _calls(app):
    with app.extensions["releve.db"].begin() as connection:
        return list(connection.execute(select(tables.calls)))


def _legs(app, call_sid="CA00000000000000000000000000000001"):
    with app.extensions["releve.db"].begin() as connection:
        return contacts.legs_of(connection, call_sid)


def test_an_unsigned_call_is_refused_and_nothing_is_logged(app, twilio):
    answer = twilio.post("/twilio/voice", incoming(), token=None)

    assert answer.status_code == 403
    assert _calls(app) == []


def test_a_call_signed_with_another_token_is_refused(app, twilio):
    assert twilio.post("/twilio/voice", incoming(), token="not-our-token").status_code == 403
    assert _calls(app) == []


def test_a_signature_for_another_url_is_refused(twilio):
    answer = twilio.post("/twilio/voice", incoming(), signed_url=BASE + "/twilio/voice?x=1")

    assert answer.status_code == 403


def test_during_the_vacation_the_caller_hears_the_office_and_the_reopening_then_is_put_through(app, twilio, clock):
    clock.now = DURING_VACATION

    document = twilio.twiml("/twilio/voice", incoming())

    say = document.find("Say")
    assert say.attrib == {"language": "fr-FR", "voice": "Polly.Lea-Neural"}
    # The title « Congés de fin d'année » is said as a person says it, and the reopening with its
    # day and hour together, so that it cannot be heard as closed through Saturday.
    assert say.text == ("Bonjour. Le cabinet dentaire Dupont est fermé pour les fêtes de fin d'année. Nous rouvrirons "
                        "le samedi 9 janvier à 9 heures. Le cabinet du docteur Martin assure la continuité des soins : "
                        "nous vous mettons en relation.")
    dial = document.find("Dial")
    assert dial.attrib["callerId"] == "+33698765432"  # the office sees who is calling
    assert dial.attrib["answerOnBridge"] == "true"
    assert dial.find("Number").text == "+33142001122"
    assert "/twilio/voice/whisper?" in dial.find("Number").attrib["url"]


def test_the_covering_office_hears_which_practice_it_is_covering_before_being_connected(twilio, clock):
    clock.now = DURING_VACATION
    number = twilio.twiml("/twilio/voice", incoming()).find("Dial/Number")

    whisper = twilio.twiml(number.attrib["url"].removeprefix(BASE), {
        **incoming(call_sid="CA0000000000000000000000000000leg1"), "ParentCallSid": incoming()["CallSid"],
        "To": "+33142001122", "Direction": "outbound-dial"})

    assert _said(whisper) == "Appel transféré du cabinet dentaire Dupont, qui rouvre le samedi 9 janvier à 9 heures."
    assert [verb.tag for verb in whisper] == ["Say"]  # no key to press: the end of the whisper connects


def test_an_office_that_must_accept_is_asked_to_press_1_and_a_machine_is_hung_up_on(example_settings, tmp_path, clock):
    offices = dict(example_settings.offices)
    offices["cabinet-martin"] = replace(offices["cabinet-martin"], ask_to_accept=True)
    app = create_app(replace(example_settings, offices=offices), {
        "TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_PUBLIC_URLS": (BASE,),
        "RELEVE_BACKGROUND_REFRESH": False})
    twilio = Twilio(app)
    clock.now = DURING_VACATION
    number = twilio.twiml("/twilio/voice", incoming()).find("Dial/Number")
    leg = {**incoming(call_sid="CA0000000000000000000000000000leg1"), "ParentCallSid": incoming()["CallSid"]}

    whisper = twilio.twiml(number.attrib["url"].removeprefix(BASE), leg)

    assert [verb.tag for verb in whisper] == ["Gather", "Hangup"]
    gather = whisper.find("Gather")
    assert gather.attrib["numDigits"] == "1"
    assert "Appuyez sur 1 pour prendre l'appel." in _said(gather)
    wrong_key = twilio.twiml(gather.attrib["action"].removeprefix(BASE), {**leg, "Digits": "2"})
    assert [verb.tag for verb in wrong_key] == ["Hangup"]
    assert _legs(app)[0].status == "declined"


def test_pressing_1_connects_the_office(app, twilio, clock, example_settings):
    accept = twilio.twiml("/twilio/voice/whisper/answer?practice=cabinet-dupont&chain=cabinet-martin&step=0",
                          {**incoming(call_sid="CAleg"), "ParentCallSid": incoming()["CallSid"], "Digits": "1"})

    assert list(accept) == []  # an empty whisper end: Twilio bridges the caller


def test_when_the_first_office_does_not_answer_the_caller_is_told_and_the_next_one_is_dialled(app, twilio, clock):
    clock.now = DURING_VACATION
    dial = twilio.twiml("/twilio/voice", incoming()).find("Dial")

    after = twilio.twiml(dial.attrib["action"].removeprefix(BASE), {**incoming(), "DialCallStatus": "no-answer"})

    assert _said(after) == "Pas de réponse. Nous appelons maintenant la permanence Accueil Santé."
    assert after.find("Dial/Number").text == "+33970001234"
    assert [(leg.step, leg.target, leg.number, leg.status) for leg in _legs(app)] == [
        (0, "cabinet-martin", "+33142001122", "no-answer")]


def test_at_the_end_of_the_chain_the_caller_hears_the_emergency_line_then_leaves_a_voicemail(app, twilio, clock):
    clock.now = DURING_VACATION
    dial = twilio.twiml("/twilio/voice", incoming()).find("Dial")
    second = twilio.twiml(dial.attrib["action"].removeprefix(BASE), {**incoming(), "DialCallStatus": "busy"})

    last = twilio.twiml(second.find("Dial").attrib["action"].removeprefix(BASE),
                        {**incoming(), "DialCallStatus": "failed"})

    # Said while a key may be pressed (1: possibly urgent), then the beep without one.
    assert [verb.tag for verb in last] == ["Gather", "Record", "Say", "Hangup"]
    said = last.find("Gather/Say").text
    assert _said(second) == "La ligne est occupée. Nous appelons maintenant la permanence Accueil Santé."
    # Both offices were just tried: neither is offered again; the emergency line comes before the beep.
    assert "docteur Martin" not in said and "permanence" not in said
    assert said.index("composez le 15") < said.index("après le bip")
    record = last.find("Record")
    assert record.attrib["playBeep"] == "true" and int(record.attrib["maxLength"]) >= 60

    thanks = twilio.twiml(record.attrib["action"].removeprefix(BASE), {
        **incoming(), "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1",
        "RecordingDuration": "23", "RecordingSid": "RE1"})

    assert _said(thanks) == "Merci, votre message est enregistré. Au revoir."
    call = _calls(app)[0]
    assert (call.outcome, call.recording_url, call.recording_seconds) == (
        "voicemail", "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1", 23)


def test_a_call_taken_by_an_office_is_logged_with_the_office_and_its_duration(app, twilio, clock):
    clock.now = DURING_VACATION
    dial = twilio.twiml("/twilio/voice", incoming()).find("Dial")

    done = twilio.twiml(dial.attrib["action"].removeprefix(BASE), {
        **incoming(), "DialCallStatus": "completed", "DialCallSid": "CAleg", "DialCallDuration": "187",
        "DialBridged": "true"})
    status = twilio.post("/twilio/voice/status", {**incoming(), "CallStatus": "completed", "CallDuration": "203"})

    assert [verb.tag for verb in done] == ["Hangup"]
    assert status.status_code == 204
    call = _calls(app)[0]
    assert (call.was_open, call.reason, call.outcome, call.office_id, call.duration_seconds, call.status) == (
        False, "Congés de fin d'année", "office", "cabinet-martin", 203, "completed")
    assert call.started_at == DURING_VACATION
    assert _legs(app)[0].duration_seconds == 187


def test_a_dial_reported_completed_but_declined_at_the_whisper_goes_on_to_the_next_office(app, twilio, clock):
    clock.now = DURING_VACATION
    dial = twilio.twiml("/twilio/voice", incoming()).find("Dial")
    twilio.twiml("/twilio/voice/whisper/answer?practice=cabinet-dupont&chain=cabinet-martin,permanence-sante&step=0",
                 {**incoming(call_sid="CAleg"), "ParentCallSid": incoming()["CallSid"], "Digits": "9"})

    after = twilio.twiml(dial.attrib["action"].removeprefix(BASE), {**incoming(), "DialCallStatus": "completed"})

    assert after.find("Dial/Number").text == "+33970001234"


def test_a_caller_who_hangs_up_before_anyone_answers_is_logged_as_such(app, twilio, clock):
    clock.now = DURING_VACATION
    twilio.twiml("/twilio/voice", incoming())

    twilio.post("/twilio/voice/status", {**incoming(), "CallStatus": "completed", "CallDuration": "9"})

    assert _calls(app)[0].outcome == "hung_up"


def test_while_open_the_front_desk_rings_and_nobody_is_whispered_to(app, twilio, clock):
    clock.now = TUESDAY_MORNING

    document = twilio.twiml("/twilio/voice", incoming())

    assert document.find("Say") is None
    dial = document.find("Dial")
    assert [n.text for n in dial.findall("Number")] == ["+33145678910"]
    assert all("url" not in n.attrib for n in dial.findall("Number"))
    assert _calls(app)[0].was_open is True


def test_an_unanswered_front_desk_offers_a_voicemail(app, twilio, clock):
    clock.now = TUESDAY_MORNING
    dial = twilio.twiml("/twilio/voice", incoming()).find("Dial")

    after = twilio.twiml(dial.attrib["action"].removeprefix(BASE), {**incoming(), "DialCallStatus": "no-answer"})

    assert "Le cabinet dentaire Dupont ne peut pas vous répondre pour le moment" in after.find("Gather/Say").text
    assert after.find("Record") is not None


def test_at_night_the_after_hours_office_covers_until_the_morning(twilio, clock):
    clock.now = WEDNESDAY_NIGHT

    document = twilio.twiml("/twilio/voice", incoming())

    assert "est fermé. Nous rouvrirons demain à 8 heures 30." in document.find("Say").text
    assert "La permanence Accueil Santé assure la continuité des soins" in document.find("Say").text
    assert document.find("Dial/Number").text == "+33970001234"


def test_a_quebec_clinic_speaks_canadian_french_and_agrees_with_its_name(twilio, clock):
    clock.now = datetime(2026, 12, 28, 15, 0, tzinfo=UTC)  # 10:00 in Montréal

    document = twilio.twiml("/twilio/voice", incoming(to="+14384012290"))

    say = document.find("Say")
    assert say.attrib == {"language": "fr-CA", "voice": "Polly.Gabrielle-Neural"}
    assert say.text.startswith("Bonjour. La clinique vétérinaire du Plateau est fermée pour le temps des Fêtes. "
                               "Nous rouvrirons le lundi 4 janvier à 8 heures.")


def test_a_withheld_number_is_not_passed_on_as_caller_id(twilio, clock):
    clock.now = DURING_VACATION

    document = twilio.twiml("/twilio/voice", incoming(caller="anonymous"))

    assert document.find("Dial").attrib["callerId"] == "+33186951234"


def test_twilio_retrying_the_incoming_webhook_logs_the_call_once(app, twilio, clock):
    clock.now = DURING_VACATION

    first = twilio.twiml("/twilio/voice", incoming())
    second = twilio.twiml("/twilio/voice", incoming())

    assert ElementTree.tostring(first) == ElementTree.tostring(second)
    assert len(_calls(app)) == 1


def test_twilio_retrying_a_dial_result_does_not_add_a_leg(app, twilio, clock):
    clock.now = DURING_VACATION
    action = twilio.twiml("/twilio/voice", incoming()).find("Dial").attrib["action"].removeprefix(BASE)

    answers = [twilio.twiml(action, {**incoming(), "DialCallStatus": "busy"}) for _ in range(2)]

    assert [(leg.step, leg.status) for leg in _legs(app)] == [(0, "busy")]
    assert ElementTree.tostring(answers[0]) == ElementTree.tostring(answers[1])


def test_a_title_with_markup_characters_is_spoken_as_text_and_the_twiml_stays_valid(app, twilio, clock, tmp_path):
    registry = reading_of(app)
    original = registry.read
    registry.read = lambda location: original(location).replace(
        "DESCRIPTION:Congés de fin d'année.".encode(),
        "DESCRIPTION:Motif : pour les congés &lt;fin&gt; & \"année\"".encode()) \
        if location.endswith("cabinet-dupont.ics") else original(location)
    registry.refresh(DURING_VACATION)
    clock.now = DURING_VACATION

    answer = twilio.post("/twilio/voice", incoming())

    assert b"&lt;fin&gt; &amp;" in answer.data
    assert "fermé pour les congés <fin> & \"année\". Nous" in ElementTree.fromstring(answer.data).find("Say").text


def test_a_practice_greeting_from_the_configuration_is_used(example_settings, tmp_path, clock):
    practice = replace(example_settings.practices[0], greetings={
        "closed": "{Practice} est en congés. {Office} vous répond {reopening}."})
    app = create_app(replace(example_settings, practices=(practice, *example_settings.practices[1:])), {
        "TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_PUBLIC_URLS": (BASE,),
        "RELEVE_BACKGROUND_REFRESH": False})
    clock.now = DURING_VACATION

    document = Twilio(app).twiml("/twilio/voice", incoming())

    assert document.find("Say").text == ("Le cabinet dentaire Dupont est en congés. Le cabinet du docteur Martin "
                                         "vous répond jusqu'au samedi 9 janvier, 9 heures.")


def test_when_the_decision_fails_the_caller_still_reaches_the_practice_and_its_first_office(app, twilio, clock,
                                                                                           monkeypatch):
    reading_of(app).refresh(clock())
    for name in ("resolve_near", "resolve_coverage"):  # the code that decides is broken
        monkeypatch.setattr(f"coverage.snapshots.{name}", lambda *args: 1 / 0)

    document = twilio.twiml("/twilio/voice", incoming())

    assert [n.text for n in document.findall("Dial/Number")] == ["+33145678910", "+33142001122"]
    after = twilio.twiml(document.find("Dial").attrib["action"].removeprefix(BASE),
                         {**incoming(), "DialCallStatus": "no-answer"})
    assert after.find("Record") is not None


def test_when_the_database_is_broken_the_caller_still_reaches_someone(app, twilio, clock):
    from sqlalchemy import create_engine
    app.extensions["releve.db"] = create_engine("sqlite:////nonexistent-folder/releve.sqlite3")
    clock.now = DURING_VACATION

    document = twilio.twiml("/twilio/voice", incoming())

    assert document.find("Dial/Number") is not None


def test_a_call_without_its_fields_still_gets_twiml_that_reaches_someone(twilio):
    document = twilio.twiml("/twilio/voice", {"To": "+33186951234"})

    assert document.find("Dial/Number") is not None


def test_a_call_to_an_unknown_number_gets_a_voicemail(twilio):
    document = twilio.twiml("/twilio/voice", incoming(to="+33100000000"))

    assert document.find("Record") is not None


def test_the_fallback_url_rings_the_practice_without_the_database_or_the_calendar(app, twilio):
    app.extensions["releve.db"] = None  # the fallback must not touch it

    document = twilio.twiml("/twilio/voice/fallback", {**incoming(), "ErrorCode": "11200",
                                                        "ErrorUrl": BASE + "/twilio/voice"})

    assert [n.text for n in document.findall("Dial/Number")] == ["+33145678910", "+33142001122"]
    voicemail = twilio.twiml(document.find("Dial").attrib["action"].removeprefix(BASE),
                             {**incoming(), "DialCallStatus": "no-answer"})
    assert [verb.tag for verb in voicemail] == ["Say", "Record", "Hangup"]


def test_the_fallback_with_no_configuration_at_all_records_a_voicemail(tmp_path, clock, monkeypatch):
    monkeypatch.setenv("RELEVE_CONFIG", str(tmp_path / "missing.yaml"))
    app = create_app(None, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                            "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_PUBLIC_URLS": (BASE,), "RELEVE_BACKGROUND_REFRESH": False})

    document = Twilio(app).twiml("/twilio/voice/fallback", incoming())

    assert document.find("Record") is not None


def test_a_status_callback_without_its_fields_is_a_clear_400(twilio):
    answer = twilio.post("/twilio/voice/status", {"CallSid": "CA1"})

    assert answer.status_code == 400
    assert b"CallStatus" in answer.data


def test_behind_a_proxy_the_signature_is_checked_against_the_configured_public_url(example_settings, tmp_path, clock):
    settings = replace(example_settings, service=replace(example_settings.service, public_urls=("https://releve.cabinet.fr",)))
    app = create_app(settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                                "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_BACKGROUND_REFRESH": False})
    twilio = Twilio(app)

    # The app sees http://10.0.0.5:8000; Twilio signed the public address.
    good = twilio.post("/twilio/voice", incoming(), base="http://10.0.0.5:8000",
                       signed_url="https://releve.cabinet.fr/twilio/voice")
    bad = twilio.post("/twilio/voice", incoming(call_sid="CA2"), base="http://10.0.0.5:8000")

    assert (good.status_code, bad.status_code) == (200, 403)


def test_a_request_twilio_signed_for_another_host_is_refused_when_replayed_with_that_host(example_settings, tmp_path,
                                                                                          clock):
    # Twilio signed this for the account's staging server; an attacker replays it here, Host and all.
    staging = "https://staging.releve.example.net/twilio/voice"
    for public_urls in [(), ("https://releve.cabinet.fr",)]:
        settings = replace(example_settings, service=replace(example_settings.service, public_urls=public_urls))
        app = create_app(settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                                    "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_BACKGROUND_REFRESH": False})

        replayed = Twilio(app).post("/twilio/voice", incoming(), base="https://staging.releve.example.net",
                                    signed_url=staging)

        assert replayed.status_code == 403, public_urls


def test_without_a_public_url_only_the_local_address_is_served(example_settings, tmp_path, clock):
    app = create_app(example_settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                                        "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_BACKGROUND_REFRESH": False})
    twilio = Twilio(app)

    local = twilio.post("/twilio/voice", incoming(), base="http://127.0.0.1:5000")
    elsewhere = twilio.post("/twilio/voice", incoming(call_sid="CA2"), base="https://releve.example.org")

    assert (local.status_code, elsewhere.status_code) == (200, 403)


def test_a_server_started_without_a_public_url_says_so_loudly(example_settings, tmp_path, clock, caplog):
    create_app(example_settings, {"RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": TOKEN,
                                  "RELEVE_BACKGROUND_REFRESH": False})

    assert "No service.public_url is configured" in caplog.text
    assert "http://127.0.0.1:5000 only" in caplog.text


def test_a_web_process_started_before_the_workers_first_read_does_not_claim_a_missing_public_url(tmp_path, caplog):
    # Nothing is stored yet: whether the configuration names a public address is not known.
    create_app(None, {"RELEVE_DATA_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": TOKEN})

    assert "No service.public_url" not in caplog.text
    assert "no practice in the database yet" in caplog.text


def test_with_proxy_headers_trusted_the_forwarded_host_counts_only_when_it_is_configured(example_settings, tmp_path,
                                                                                         clock, monkeypatch):
    monkeypatch.setenv("RELEVE_BEHIND_PROXY", "1")
    settings = replace(example_settings, service=replace(example_settings.service,
                                                         public_urls=("https://releve.cabinet.fr",)))
    app = create_app(settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                                "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_BACKGROUND_REFRESH": False})
    twilio = Twilio(app)

    ours = twilio.post("/twilio/voice", incoming(), base="http://127.0.0.1:8000",
                       signed_url="https://releve.cabinet.fr/twilio/voice",
                       headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "releve.cabinet.fr"})
    theirs = twilio.post("/twilio/voice", incoming(call_sid="CA2"), base="http://127.0.0.1:8000",
                         signed_url="https://staging.releve.example.net/twilio/voice",
                         headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "staging.releve.example.net"})

    assert (ours.status_code, theirs.status_code) == (200, 403)


def test_signatures_are_skipped_only_when_explicitly_set_and_that_is_logged_loudly(example_settings, tmp_path, clock,
                                                                                   monkeypatch, caplog):
    monkeypatch.setenv("RELEVE_INSECURE_SKIP_SIGNATURE", "1")
    app = create_app(example_settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                                        "RELEVE_BACKGROUND_REFRESH": False})

    assert Twilio(app).post("/twilio/voice", incoming(), token=None).status_code == 200
    assert "Twilio signatures are NOT checked" in caplog.text


def test_without_an_auth_token_every_webhook_is_refused(example_settings, tmp_path, clock):
    app = create_app(example_settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                                        "RELEVE_BACKGROUND_REFRESH": False})

    assert Twilio(app).post("/twilio/voice", incoming()).status_code == 403


@pytest.mark.parametrize("path", ["/twilio/voice/whisper", "/twilio/voice/whisper/answer", "/twilio/voice/dial",
                                  "/twilio/voice/urgent", "/twilio/voice/recorded", "/twilio/voice/status", "/twilio/voice/fallback",
                                  "/twilio/voice/fallback/done"])
def test_every_voice_endpoint_refuses_an_unsigned_request(twilio, path):
    assert twilio.post(path, incoming(), token=None).status_code == 403


def test_the_call_log_counts_no_call_for_refused_requests(app, twilio):
    for _ in range(3):
        twilio.post("/twilio/voice", incoming(), token=None)
    with app.extensions["releve.db"].begin() as connection:
        assert connection.execute(select(func.count()).select_from(tables.calls)).scalar() == 0


def test_a_signature_over_an_escaped_query_string_is_checked_as_twilio_sent_it(app, twilio, clock):
    clock.now = DURING_VACATION
    twilio.twiml("/twilio/voice", incoming())
    path = "/twilio/voice/dial?practice=cabinet-dupont&chain=cabinet-martin%2Cpermanence-sante&step=0"

    answer = twilio.twiml(path, {**incoming(), "DialCallStatus": "no-answer"})

    assert answer.find("Dial/Number").text == "+33970001234"


def test_a_night_call_during_the_vacation_goes_to_the_answering_service_not_the_partner(twilio, clock):
    clock.now = datetime(2026, 12, 28, 22, 0, tzinfo=UTC)  # 23:00 in Paris

    document = twilio.twiml("/twilio/voice", incoming())

    assert "fermé pour les fêtes de fin d'année. Nous rouvrirons le samedi 9 janvier à 9 heures." in document.find(
        "Say").text
    assert "La permanence Accueil Santé assure la continuité des soins" in document.find("Say").text
    assert [n.text for n in document.findall("Dial/Number")] == ["+33970001234"]


def test_each_caller_is_forwarded_with_their_own_number_and_the_greeting_follows_the_day(twilio, clock):
    from datetime import UTC, datetime

    clock.now = datetime(2026, 12, 1, 22, 50, tzinfo=UTC)   # Tuesday 23:50 in Paris
    first = twilio.twiml("/twilio/voice", incoming("CA" + "1" * 32, "+33611111111"))
    second = twilio.twiml("/twilio/voice", incoming("CA" + "2" * 32, "+33622222222"))
    withheld = twilio.twiml("/twilio/voice", incoming("CA" + "3" * 32, "anonymous"))
    clock.now = datetime(2026, 12, 1, 23, 10, tzinfo=UTC)   # Wednesday 0:10
    after_midnight = twilio.twiml("/twilio/voice", incoming("CA" + "4" * 32, "+33611111111"))

    assert [d.find("Dial").attrib["callerId"] for d in (first, second, withheld)] == [
        "+33611111111", "+33622222222", "+33186951234"]
    assert "Nous rouvrirons demain à 8 heures 30." in first.find("Say").text
    assert "demain" not in after_midnight.find("Say").text and "8 heures 30" in after_midnight.find("Say").text
