"""A possibly urgent voicemail reaches the covering office on duty and the practice's urgent
contact at once, by SMS through the real twilio client and the local stand-in of Twilio's API:
the caller pressed 1 before the beep, or the transcript holds an urgent word."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from coverage.store import tables
from routing.worker import deliver_messages
from tests.routing.conftest import Twilio, incoming

DUPONT, DUPONT_NUMBER = "cabinet-dupont", "+33186951234"
CHRISTMAS = datetime(2026, 12, 28, 9, 5, tzinfo=UTC)   # 10:05 in Paris, the practice closed for the holidays
MARTIN_SMS, URGENT_CONTACT = "+33612345678", "+33756123456"
PATIENT = "+33698765432"


def _urgent_texts(app) -> list:
    with app.extensions["releve.db"].begin() as connection:
        return list(connection.execute(select(tables.messages).where(tables.messages.c.purpose == "urgent")
                                       .order_by(tables.messages.c.recipient)))


def _to_voicemail(twilio: Twilio, form: dict[str, str]):
    """The caller's call, every office of the chain failing in turn, down to the voicemail's TwiML."""
    answer = twilio.twiml("/twilio/voice", form)
    for _ in range(5):
        dial = answer.find("Dial")
        if dial is None:
            return answer
        answer = twilio.twiml(dial.get("action"), {**form, "DialCallStatus": "no-answer"})
    raise AssertionError("the chain never ends in a voicemail")


def test_a_caller_who_presses_1_reaches_the_office_on_duty_and_the_urgent_contact_at_once(
        app_with_twilio, twilio_api, clock):
    app, twilio = app_with_twilio, Twilio(app_with_twilio)
    clock.now = CHRISTMAS
    call_sid = "CA" + "7" * 32
    form = incoming(call_sid, PATIENT, DUPONT_NUMBER)

    voicemail = _to_voicemail(twilio, form)
    gather = voicemail.find("Gather")
    said = " ".join(s.text for s in gather.findall("Say"))
    assert said.endswith("Si c'est urgent, tapez 1 maintenant.") and "après le bip" in said
    assert voicemail.find("Record") is not None   # no key pressed: straight to the beep

    pressed = twilio.twiml(gather.get("action"), {**form, "Digits": "1"})
    assert "possiblement urgent" in pressed.find("Say").text
    record = pressed.find("Record")
    url = twilio_api.add_recording("RE" + "7" * 32)
    twilio.twiml(record.get("action"), {**form, "RecordingUrl": url, "RecordingSid": "RE" + "7" * 32,
                                        "RecordingDuration": "25"})

    texts = _urgent_texts(app)
    assert [t.recipient for t in texts] == [MARTIN_SMS, URGENT_CONTACT]
    for text in texts:
        assert text.body.startswith("Relève : message possiblement urgent pour Cabinet dentaire Dupont, de "
                                    "06 98 76 54 32, lundi 28 décembre 2026 à 10 h 05 (la personne a tapé 1).")
    assert "/briefing/" in texts[0].body and texts[0].body.rstrip().endswith("/contacts")  # the office's page
    assert f"/practice/{DUPONT}/voicemail/{call_sid}" in texts[1].body                     # the practice's own
    deliver_messages(app)
    assert twilio_api.requests_to(MARTIN_SMS) and twilio_api.requests_to(URGENT_CONTACT)
    assert {t.state for t in _urgent_texts(app)} == {"sent"}


def test_another_key_or_none_leaves_an_ordinary_message_and_nobody_is_texted(app_with_twilio, twilio_api, clock):
    app, twilio = app_with_twilio, Twilio(app_with_twilio)
    clock.now = CHRISTMAS
    form = incoming("CA" + "8" * 32, PATIENT, DUPONT_NUMBER)
    gather = _to_voicemail(twilio, form).find("Gather")

    other = twilio.twiml(gather.get("action"), {**form, "Digits": "5"})
    assert other.find("Say") is None or "urgent" not in (other.find("Say").text or "")
    url = twilio_api.add_recording("RE" + "8" * 32)
    twilio.twiml(other.find("Record").get("action"), {**form, "RecordingUrl": url, "RecordingSid": "RE" + "8" * 32,
                                                      "RecordingDuration": "12"})

    assert _urgent_texts(app) == []


def test_an_urgent_voicemail_kept_in_a_spool_is_told_by_the_worker_once(app_with_twilio, clock):
    from coverage.store import contacts as log
    from routing.worker import tell_urgent_voicemails

    app = app_with_twilio
    clock.now = CHRISTMAS
    with app.app_context():
        from coverage.flask import snapshots
        snapshots().directory()
    call_sid = "CA" + "9" * 32
    contact_log = app.extensions["releve.contact_log"]
    # What a web process spooled while the database was down, replayed later: nobody told yet.
    contact_log.write(log.CallStart(call_sid, DUPONT, PATIENT, DUPONT_NUMBER, CHRISTMAS, False, "Congés",
                                    ("cabinet-martin", "permanence-sante")))
    contact_log.write(log.Voicemail(call_sid, DUPONT, PATIENT, DUPONT_NUMBER, "https://api.twilio.com/x/RE9",
                                    "RE" + "9" * 32, 30, CHRISTMAS, pressed_urgent=True))

    assert tell_urgent_voicemails(app) == 2
    assert tell_urgent_voicemails(app) == 0
    assert [t.recipient for t in _urgent_texts(app)] == [MARTIN_SMS, URGENT_CONTACT]


# -- transcripts ------------------------------------------------------------------------------

SAID = ("Bonjour, c'est Madame Leroy. J'ai très mal depuis hier soir et ma joue est gonflée. "
        "Pouvez-vous me rappeler au 06 98 76 54 32 ? Merci.")


@pytest.fixture
def transcribing(example_settings, tmp_path, clock, twilio_api, database_url):
    """An app whose worker transcribes voicemails with Twilio (the stand-in's fr-FR service)."""
    from dataclasses import replace

    from config.settings import Transcription
    from tests.routing.conftest import ACCOUNT_SID, _outbound_app

    service = twilio_api.add_service("fr-FR")
    settings = replace(example_settings, service=replace(
        example_settings.service, transcription=Transcription("twilio", None, {"fr-FR": service})))
    app = _outbound_app(settings, tmp_path / "data", clock, TWILIO_ACCOUNT_SID=ACCOUNT_SID,
                        TWILIO_API_BASE_URL=twilio_api.base_url, RELEVE_DATABASE_URL=database_url)
    yield app
    app.extensions["releve.transports"].sms.client.http_client.session.close()
    app.extensions["releve.db"].dispose()


def _leave_voicemail(app, twilio_api, call_sid: str, said: str) -> str:
    """A caller nobody answered leaves a message (no key pressed) that says `said`."""
    twilio = Twilio(app)
    form = incoming(call_sid, PATIENT, DUPONT_NUMBER)
    record = _to_voicemail(twilio, form).find("Record")
    recording = "RE" + call_sid[2:]
    url = twilio_api.add_recording(recording)
    twilio_api.speech[recording] = said
    twilio.twiml(record.get("action"), {**form, "RecordingUrl": url, "RecordingSid": recording,
                                        "RecordingDuration": "31"})
    return recording


def _transcript(app, call_sid: str):
    with app.extensions["releve.db"].begin() as connection:
        return connection.execute(select(tables.transcripts).where(tables.transcripts.c.call_sid == call_sid)).first()


def test_a_voicemail_is_transcribed_by_twilio_and_an_urgent_word_texts_the_office_at_once(
        transcribing, clock, twilio_api, caplog):
    from routing.worker import transcribe_voicemails

    app = transcribing
    clock.now = CHRISTMAS
    call_sid = "CA" + "a" * 32
    _leave_voicemail(app, twilio_api, call_sid, SAID)
    assert _urgent_texts(app) == []   # nobody pressed 1: nothing yet

    for _ in range(3):                # created (queued), in progress, completed
        transcribe_voicemails(app)
        clock.now += timedelta(seconds=20)

    row = _transcript(app, call_sid)
    assert row.state == "done" and row.text == SAID and row.provider_ref.startswith("GT")
    texts = _urgent_texts(app)
    assert [t.recipient for t in texts] == [MARTIN_SMS, URGENT_CONTACT]
    assert "(mots entendus : mal, gonflée)" in texts[0].body and "J'ai très mal depuis hier soir" in texts[0].body
    created = [r for r in twilio_api.requests if r.method == "POST" and r.path == "/v2/Transcripts"]
    assert len(created) == 1 and created[0].authorized and "RE" + "a" * 32 in created[0].form["Channel"]
    assert "gonflée" not in caplog.text and "Leroy" not in caplog.text   # never logged


def test_a_failed_transcription_is_tried_again_later(transcribing, clock, twilio_api):
    from routing.worker import transcribe_voicemails

    app = transcribing
    clock.now = CHRISTMAS
    call_sid = "CA" + "b" * 32
    twilio_api.fail_transcript("RE" + "b" * 32)
    _leave_voicemail(app, twilio_api, call_sid, "Je voudrais déplacer mon rendez-vous de jeudi.")

    for _ in range(3):                # created, in progress, failed
        transcribe_voicemails(app)
        clock.now += timedelta(seconds=20)
    failed = _transcript(app, call_sid)
    assert (failed.state, failed.attempts, failed.text) == ("pending", 1, None)
    assert failed.last_error == "Twilio's transcript ended failed"

    clock.now += timedelta(minutes=2)
    for _ in range(3):
        transcribe_voicemails(app)
        clock.now += timedelta(seconds=20)
    row = _transcript(app, call_sid)
    assert (row.state, row.text) == ("done", "Je voudrais déplacer mon rendez-vous de jeudi.")
    assert _urgent_texts(app) == []   # no urgent word


@pytest.mark.browser
def test_the_transcript_and_the_flag_show_wherever_the_voicemail_is(transcribing, clock, twilio_api):
    import re

    from routing.worker import transcribe_voicemails
    from tests.browser import browser_page, serving, sign_in_page, visible_text
    from tests.routing.test_practice_space import PASSWORD, _user

    app = transcribing
    clock.now = CHRISTMAS
    _leave_voicemail(app, twilio_api, "CA" + "c" * 32, "Bonjour, je voulais juste confirmer mon rendez-vous.")
    clock.now += timedelta(minutes=3)
    form = incoming("CA" + "d" * 32, "+33611223344", DUPONT_NUMBER)
    twilio = Twilio(app)
    record = _to_voicemail(twilio, form).find("Record")
    twilio_api.add_recording("RE" + "d" * 32)
    twilio_api.speech["RE" + "d" * 32] = SAID
    twilio.twiml(record.get("action"), {**form, "RecordingUrl": "https://api.twilio.com/x", "RecordingSid": "RE" + "d" * 32,
                                        "RecordingDuration": "20"})
    for _ in range(3):
        transcribe_voicemails(app)
        clock.now += timedelta(seconds=20)
    office_page = re.search(r"https?://\S+/contacts", _urgent_texts(app)[0].body).group(0)
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT)

    with serving(app) as base, browser_page(locale="fr-FR") as page:
        sign_in_page(page, base, "accueil@cabinet-dupont.example.fr", PASSWORD)
        page.goto(base + f"/practice/{DUPONT}/callbacks")
        callbacks = visible_text(page)
        page.goto(base + f"/practice/{DUPONT}/contacts")
        log = visible_text(page)
        page.goto(office_page.replace("http://127.0.0.1:5000", base))
        office = visible_text(page)

    urgent = "Possiblement urgent (mots entendus : mal, gonflée)"
    # The possibly urgent one first on the callback list, though it came second.
    assert callbacks.index("+33 6 11 22 33 44 à rappeler") < callbacks.index(urgent) < callbacks.index(
        "+33 6 98 76 54 32 à rappeler")
    # First on the office's page too, though it came second.
    assert office.index(urgent) < office.index("Bonjour, je voulais juste confirmer")
    for text in (callbacks, log, office):
        assert urgent in text
        assert "« Bonjour, c'est Madame Leroy. J'ai très mal depuis hier soir et ma joue est gonflée." in text
    assert "« Bonjour, je voulais juste confirmer mon rendez-vous. »" in callbacks + log


def test_a_transcription_that_keeps_failing_is_given_up_and_the_voicemail_stays(transcribing, clock, twilio_api):
    from routing.transcribe import MAX_ATTEMPTS
    from routing.worker import transcribe_voicemails

    app = transcribing
    clock.now = CHRISTMAS
    call_sid = "CA" + "f" * 32
    _leave_voicemail(app, twilio_api, call_sid, "Rappelez-moi.")
    for _ in range(MAX_ATTEMPTS * 3 + 2):
        twilio_api.fail_transcript("RE" + "f" * 32)
        transcribe_voicemails(app)
        clock.now += timedelta(minutes=31)

    row = _transcript(app, call_sid)
    assert (row.state, row.attempts, row.text) == ("failed", MAX_ATTEMPTS, None)
    created = [r for r in twilio_api.requests if r.method == "POST" and r.path == "/v2/Transcripts"]
    assert len(created) == MAX_ATTEMPTS           # no more tries once given up
    with app.extensions["releve.db"].begin() as connection:
        call = connection.execute(select(tables.calls).where(tables.calls.c.call_sid == call_sid)).first()
    assert call.outcome == "voicemail" and call.recording_sid == "RE" + "f" * 32
