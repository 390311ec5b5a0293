"""Texts to a practice: stored first, forwarded to whoever covers, answered once while closed, never to robots
or to patients who opted out; and the text back to a caller the front desk missed."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app import create_app
from coverage.store import outbox, tables
from routing import outbound
from tests.routing.conftest import BASE, TOKEN, Twilio, incoming

DURING_VACATION = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)      # Monday 10:00 in Paris
LATER_IN_THE_VACATION = datetime(2027, 1, 5, 17, 0, tzinfo=UTC)  # Tuesday 18:00 in Paris
SATURDAY_AFTER = datetime(2027, 1, 9, 13, 0, tzinfo=UTC)         # 14:00, closed until Monday
SATURDAY_BEFORE = datetime(2026, 12, 26, 19, 0, tzinfo=UTC)      # 20:00, the evening before it
TUESDAY_MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)       # open
LUNCH_BREAK = datetime(2026, 11, 24, 11, 45, tzinfo=UTC)         # 12:45 in Paris
WEDNESDAY_NIGHT = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)     # 22:30 in Paris
MONDAY_IN_MONTREAL = datetime(2026, 12, 28, 15, 0, tzinfo=UTC)  # 10:00, during the holidays

PATIENT = "+33698765432"
DUPONT = "+33186951234"
MARTIN_MOBILE = "+33612345678"
PLATEAU = "+14384012290"

VACATION_REPLY = ("Le cabinet dentaire Dupont est fermé. Réouverture le samedi 09/01 à 9 h. Votre message a été transmis "
                  "au cabinet du Dr Martin, joignable au 01 42 00 11 22.")
FORWARD_HEAD = "[Cabinet dentaire Dupont] SMS de +33 6 98 76 54 32 : "


def text_in(body: str = "Bonjour, j'ai perdu un plombage, je peux passer ?", *, sid: str = "SM" + "0" * 31 + "1",
            sender: str = PATIENT, to: str = DUPONT, **extra: str) -> dict[str, str]:
    """The form of Twilio's incoming-message webhook."""
    return {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender, "To": to, "Body": body,
            "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01", **extra}


def _texts(app):
    with app.extensions["releve.db"].begin() as connection:
        return list(connection.execute(select(tables.texts).order_by(tables.texts.c.id)))


def _messages(app, purpose=None):
    query = select(tables.messages).order_by(tables.messages.c.id)
    if purpose:
        query = query.where(tables.messages.c.purpose == purpose)
    with app.extensions["releve.db"].begin() as connection:
        return list(connection.execute(query))


def _send(twilio, **form):
    answer = twilio.post("/twilio/sms", text_in(**form))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer


def _app_with(example_settings, tmp_path, clock, *, practice=None, offices=None):
    """The routing app on the example, with one practice or some offices changed."""
    practices = example_settings.practices
    if practice is not None:
        practices = tuple(practice if p.id == practice.id else p for p in practices)
    settings = replace(example_settings, practices=practices, offices={**example_settings.offices, **(offices or {})})
    return create_app(settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path / "other"),
                                 "RELEVE_BACKGROUND_REFRESH": False, "TWILIO_AUTH_TOKEN": TOKEN, "RELEVE_PUBLIC_URLS": (BASE,)})


# Refused requests


@pytest.mark.parametrize("path", ["/twilio/sms", "/twilio/sms/status"])
def test_an_unsigned_text_is_refused_and_nothing_is_stored_or_sent(app, twilio, clock, path):
    clock.now = DURING_VACATION

    answer = twilio.post(path, {**text_in(), "MessageStatus": "delivered"}, token=None)

    assert answer.status_code == 403
    assert _texts(app) == [] and _messages(app) == []


def test_a_text_signed_with_another_token_is_refused(app, twilio, clock):
    clock.now = DURING_VACATION

    assert twilio.post("/twilio/sms", text_in(), token="not-our-token").status_code == 403
    assert _texts(app) == [] and _messages(app) == []


def test_a_text_without_its_message_sid_is_refused_and_nothing_is_stored(app, twilio, clock):
    clock.now = DURING_VACATION
    form = text_in()
    del form["MessageSid"]

    answer = twilio.post("/twilio/sms", form)

    assert answer.status_code == 400
    assert _texts(app) == [] and _messages(app) == []


# Stored first, once


def test_every_text_is_stored_in_the_contact_log_with_what_became_of_it(app, twilio, clock):
    clock.now = DURING_VACATION

    answer = _send(twilio)

    assert answer.mimetype == "text/xml"
    assert "<Message" not in answer.get_data(as_text=True)  # replies are sent by the dispatcher, not in TwiML
    [stored] = _texts(app)
    assert (stored.practice_id, stored.sender, stored.called, stored.body, stored.received_at) == (
        "cabinet-dupont", PATIENT, DUPONT, "Bonjour, j'ai perdu un plombage, je peux passer ?", DURING_VACATION)
    assert (stored.was_open, stored.reason, stored.handling, stored.forwarded_to, stored.office_id,
            stored.replied) == (False, "Congés de fin d'année", "forwarded", MARTIN_MOBILE, "cabinet-martin", True)


def test_twilio_retrying_the_webhook_stores_the_text_once_and_replies_once(app, twilio, clock):
    clock.now = DURING_VACATION

    for _ in range(3):
        _send(twilio)

    assert len(_texts(app)) == 1
    assert [(m.purpose, m.recipient) for m in _messages(app)] == [("forward", MARTIN_MOBILE), ("auto_reply", PATIENT)]


def test_a_text_is_kept_in_the_contact_log_even_when_handling_it_fails(app, twilio, clock, monkeypatch):
    def broken(*args, **kwargs):
        outbox.queue_sms(args[0], practice_id="cabinet-dupont", purpose="forward", sender=DUPONT,
                           to=MARTIN_MOBILE, body="half done", at=DURING_VACATION)
        raise RuntimeError("the forwarding code is broken")

    monkeypatch.setattr("routing.sms.handle_text", broken)
    clock.now = DURING_VACATION

    answer = twilio.post("/twilio/sms", text_in())

    assert answer.status_code == 200  # Twilio would only retry, and the text is stored already
    [stored] = _texts(app)
    assert (stored.body, stored.handling) == ("Bonjour, j'ai perdu un plombage, je peux passer ?", None)
    assert _messages(app) == []  # nothing half-done is sent

    # Twilio retries the same MessageSid once the fault is gone: the text is handled then, once.
    monkeypatch.undo()
    twilio.post("/twilio/sms", text_in())
    twilio.post("/twilio/sms", text_in())

    assert [m.purpose for m in _messages(app)] == ["forward", "auto_reply"]
    assert _texts(app)[0].handling == "forwarded"


def test_a_text_to_a_number_no_practice_has_is_stored_and_nothing_is_sent(app, twilio, clock):
    clock.now = DURING_VACATION

    _send(twilio, to="+33100000000")

    [stored] = _texts(app)
    assert (stored.practice_id, stored.called, stored.handling) == ("", "+33100000000", "no_practice")
    assert _messages(app) == []


# Closed: forwarded to the covering office, answered once


def test_during_the_vacation_the_patient_is_told_who_has_the_message_and_when_the_practice_reopens(app, twilio, clock):
    clock.now = DURING_VACATION

    _send(twilio)

    [reply] = _messages(app, "auto_reply")
    assert (reply.kind, reply.recipient, reply.sender, reply.body) == ("sms", PATIENT, DUPONT, VACATION_REPLY)


def test_during_the_vacation_the_covering_office_gets_the_text_with_the_practice_and_the_patients_number(
        app, twilio, clock):
    clock.now = DURING_VACATION

    _send(twilio)

    [forward] = _messages(app, "forward")
    assert (forward.kind, forward.recipient, forward.sender) == ("sms", MARTIN_MOBILE, DUPONT)
    assert forward.body == FORWARD_HEAD + "Bonjour, j'ai perdu un plombage, je peux passer ?"


def test_an_office_without_a_mobile_gets_the_text_by_email(example_settings, tmp_path, clock):
    martin = replace(example_settings.offices["cabinet-martin"], sms=None)
    app = _app_with(example_settings, tmp_path, clock, offices={"cabinet-martin": martin})
    clock.now = DURING_VACATION

    _send(Twilio(app))

    [forward] = _messages(app, "forward")
    assert (forward.kind, forward.recipient, forward.subject) == (
        "email", "accueil@cabinet-martin.example.fr", "SMS pour Cabinet dentaire Dupont de +33698765432")
    assert forward.body == FORWARD_HEAD + "Bonjour, j'ai perdu un plombage, je peux passer ?"
    assert _texts(app)[0].forwarded_to == "accueil@cabinet-martin.example.fr"
    assert _messages(app, "auto_reply")[0].body == VACATION_REPLY


def test_at_night_the_text_goes_by_email_to_the_permanence_which_has_no_mobile(app, twilio, clock):
    clock.now = WEDNESDAY_NIGHT

    _send(twilio, body="Mon fils a très mal aux dents depuis ce soir.")

    [forward] = _messages(app, "forward")
    assert (forward.kind, forward.recipient, forward.subject) == (
        "email", "equipe@permanence-sante.example.fr", "SMS pour Cabinet dentaire Dupont de +33698765432")
    assert forward.body == FORWARD_HEAD + "Mon fils a très mal aux dents depuis ce soir."
    [reply] = _messages(app, "auto_reply")
    assert reply.body == ("Le cabinet dentaire Dupont est fermé. Réouverture demain à 8 h 30. Votre message a "
                          "été transmis à la permanence Accueil Santé, joignable au 09 70 00 12 34.")
    stored = _texts(app)[0]
    assert (stored.reason, stored.office_id, stored.replied) == ("outside_hours", "permanence-sante", True)


def test_during_the_lunch_break_the_patient_is_told_the_practice_reopens_at_2_pm(app, twilio, clock):
    clock.now = LUNCH_BREAK

    _send(twilio)

    assert _messages(app, "auto_reply")[0].body.startswith(
        "Le cabinet dentaire Dupont est fermé. Réouverture à 14 h. Votre message a été transmis au "
        "cabinet du Dr Martin")
    assert _texts(app)[0].reason == "Pause déjeuner"


def test_a_second_text_in_the_same_closure_is_forwarded_but_not_answered_again(app, twilio, clock):
    clock.now = DURING_VACATION
    _send(twilio, body="Bonjour, j'ai mal.", sid="SM1")
    clock.now = LATER_IN_THE_VACATION

    _send(twilio, body="C'est pire ce soir.", sid="SM2")

    assert [m.body for m in _messages(app, "forward")] == [FORWARD_HEAD + "Bonjour, j'ai mal.",
                                                           FORWARD_HEAD + "C'est pire ce soir."]
    assert len(_messages(app, "auto_reply")) == 1
    assert [t.replied for t in _texts(app)] == [True, False]


def test_another_patient_in_the_same_closure_gets_their_own_reply(app, twilio, clock):
    clock.now = DURING_VACATION

    _send(twilio, sid="SM1")
    _send(twilio, sid="SM2", sender="+33611223344")

    assert [m.recipient for m in _messages(app, "auto_reply")] == [PATIENT, "+33611223344"]


def test_a_new_closure_gets_a_new_automatic_reply(app, twilio, clock):
    clock.now = SATURDAY_BEFORE
    _send(twilio, sid="SM1")
    clock.now = DURING_VACATION
    _send(twilio, sid="SM2")
    clock.now = SATURDAY_AFTER

    _send(twilio, sid="SM3")

    assert [m.body for m in _messages(app, "auto_reply")] == [
        ("Le cabinet dentaire Dupont est fermé. Réouverture le samedi 09/01 à 9 h. Votre message a été transmis à "
         "la permanence Accueil Santé, joignable au 09 70 00 12 34."),
        VACATION_REPLY,
        ("Le cabinet dentaire Dupont est fermé. Réouverture le lundi 11/01 à 8 h 30. Votre message a été transmis à "
         "la permanence Accueil Santé, joignable au 09 70 00 12 34."),
    ]


@pytest.mark.parametrize("body", ["Réponse automatique : je suis absent jusqu'au 4 janvier.",
                                  "REPONSE AUTOMATIQUE - merci de ne pas répondre à ce message",
                                  "Auto-reply: I am out of the office until Monday.",
                                  "Message automatique : ce numéro n'est plus attribué."])
def test_another_automatic_reply_is_forwarded_but_never_answered(app, twilio, clock, body):
    clock.now = DURING_VACATION

    _send(twilio, body=body)

    assert [m.purpose for m in _messages(app)] == ["forward"]
    assert _texts(app)[0].replied is False


@pytest.mark.parametrize(("sender", "shown"), [("36179", "36179"), ("anonymous", "anonymous"),
                                               ("AMELI", "AMELI")])
def test_a_short_code_or_a_withheld_sender_gets_no_reply_but_the_office_still_gets_the_text(
        app, twilio, clock, sender, shown):
    clock.now = DURING_VACATION

    _send(twilio, sender=sender, body="Votre code est 123456")

    assert [(m.purpose, m.recipient, m.body) for m in _messages(app)] == [
        ("forward", MARTIN_MOBILE, f"[Cabinet dentaire Dupont] SMS de {shown} : Votre code est 123456")]


def test_a_text_from_the_covering_office_is_stored_and_not_sent_back_to_it(app, twilio, clock):
    clock.now = DURING_VACATION

    _send(twilio, sender=MARTIN_MOBILE, body="Bien reçu, nous rappelons le patient.")

    [stored] = _texts(app)
    assert (stored.body, stored.handling, stored.forwarded_to) == (
        "Bien reçu, nous rappelons le patient.", "from_office", None)
    assert _messages(app) == []


def test_a_picture_message_is_forwarded_with_the_count_and_the_links_to_see_them(app, twilio, clock):
    clock.now = DURING_VACATION
    first = "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1"
    second = "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME2"

    _send(twilio, body="Voilà ma dent", NumMedia="2", MediaUrl0=first, MediaContentType0="image/jpeg",
          MediaUrl1=second, MediaContentType1="image/png")

    [forward] = _messages(app, "forward")
    assert forward.body == FORWARD_HEAD + f"Voilà ma dent 2 photos jointes, à voir ici : {first} {second}"
    assert _texts(app)[0].media == f"{first} image/jpeg\n{second} image/png"


def test_a_very_long_text_is_shortened_to_what_one_message_may_hold(app, twilio, clock):
    clock.now = DURING_VACATION

    _send(twilio, body="mal " * 400)

    [forward] = _messages(app, "forward")
    assert len(forward.body) == 1600
    assert forward.body.startswith(FORWARD_HEAD + "mal mal") and forward.body.endswith("…")
    assert _texts(app)[0].body == "mal " * 400  # the contact log keeps all of it


def test_a_quebec_clinic_answers_in_canadian_french_agreeing_with_its_name(example_settings, tmp_path, clock):
    rosemont = replace(example_settings.offices["clinique-rosemont"], sms=None,
                       email="reception@clinique-rosemont.example.ca")
    app = _app_with(example_settings, tmp_path, clock, offices={"clinique-rosemont": rosemont})
    clock.now = MONDAY_IN_MONTREAL

    _send(Twilio(app), to=PLATEAU, sender="+15145550123", body="Mon chat ne mange plus.")

    [reply] = _messages(app, "auto_reply")
    assert (reply.recipient, reply.sender) == ("+15145550123", PLATEAU)
    assert reply.body == ("La clinique vétérinaire du Plateau est fermée. Réouverture le lundi 04/01 à 8 h. Votre message "
                          "a été transmis à la clinique vétérinaire Rosemont, joignable au (514) 527-9301.")
    [forward] = _messages(app, "forward")
    assert (forward.kind, forward.recipient, forward.subject) == (
        "email", "reception@clinique-rosemont.example.ca", "Texto pour Clinique vétérinaire du Plateau de +15145550123")
    assert forward.body == "[Clinique vétérinaire du Plateau] Texto de +1 514-555-0123 : Mon chat ne mange plus."


def test_the_reply_names_the_first_office_of_the_chain_that_can_receive_the_text(example_settings, tmp_path, clock):
    # The Cabinet du Dr Martin takes the calls, but has neither a mobile nor an email address.
    martin = replace(example_settings.offices["cabinet-martin"], sms=None, email=None)
    app = _app_with(example_settings, tmp_path, clock, offices={"cabinet-martin": martin})
    clock.now = DURING_VACATION

    _send(Twilio(app))

    assert [(m.purpose, m.recipient) for m in _messages(app)] == [
        ("forward", "equipe@permanence-sante.example.fr"), ("auto_reply", PATIENT)]
    assert _messages(app, "auto_reply")[0].body == (
        "Le cabinet dentaire Dupont est fermé. Réouverture le samedi 09/01 à 9 h. Votre message a été transmis à "
        "la permanence Accueil Santé, joignable au 09 70 00 12 34.")
    stored = _texts(app)[0]
    assert (stored.office_id, stored.forwarded_to) == ("permanence-sante", "equipe@permanence-sante.example.fr")


def test_a_practice_own_wording_of_the_automatic_reply_is_used(example_settings, tmp_path, clock):
    dupont = replace(example_settings.practices[0], texts={
        "auto_reply": "Cabinet Dupont en congés {reopening}. Urgences : {office} au {office_phone}."})
    app = _app_with(example_settings, tmp_path, clock, practice=dupont)
    clock.now = DURING_VACATION

    _send(Twilio(app))

    assert _messages(app, "auto_reply")[0].body == (
        "Cabinet Dupont en congés jusqu'au samedi 9 janvier à 9 h. Urgences : Cabinet du Dr Martin au "
        "01 42 00 11 22.")


def test_delivery_takes_the_reply_and_the_forward_to_the_outbox(app, twilio, clock):
    clock.now = DURING_VACATION
    _send(twilio)

    sent = outbound.deliver_due(app.extensions["releve.db"], app.extensions["releve.transports"], DURING_VACATION)

    assert sent == 2
    assert [(m.purpose, m.state) for m in _messages(app)] == [("forward", "outbox"), ("auto_reply", "outbox")]


# Open: to the practice itself, no automatic reply


def test_while_open_the_text_goes_to_the_practice_mobile_and_the_patient_gets_no_automatic_reply(
        example_settings, tmp_path, clock):
    dupont = replace(example_settings.practices[0], sms="+33611111111", email="accueil@dupont.example.fr")
    app = _app_with(example_settings, tmp_path, clock, practice=dupont)
    clock.now = TUESDAY_MORNING

    _send(Twilio(app), body="Je serai en retard de 10 minutes.")

    assert [(m.kind, m.purpose, m.recipient, m.sender, m.body) for m in _messages(app)] == [
        ("sms", "forward", "+33611111111", DUPONT, FORWARD_HEAD + "Je serai en retard de 10 minutes.")]
    stored = _texts(app)[0]
    assert (stored.was_open, stored.reason, stored.handling, stored.forwarded_to, stored.replied) == (
        True, None, "forwarded", "+33611111111", False)


def test_while_open_a_practice_without_a_mobile_gets_the_text_by_email(example_settings, tmp_path, clock):
    dupont = replace(example_settings.practices[0], sms=None, email="accueil@dupont.example.fr")
    app = _app_with(example_settings, tmp_path, clock, practice=dupont)
    clock.now = TUESDAY_MORNING

    _send(Twilio(app))

    assert [(m.kind, m.recipient, m.subject) for m in _messages(app)] == [
        ("email", "accueil@dupont.example.fr", "SMS pour Cabinet dentaire Dupont de +33698765432")]


def test_while_open_a_practice_with_nowhere_to_forward_keeps_the_text_in_the_contact_log(
        example_settings, tmp_path, clock):
    dupont = replace(example_settings.practices[0], sms=None, email=None)
    app = _app_with(example_settings, tmp_path, clock, practice=dupont)
    clock.now = TUESDAY_MORNING

    _send(Twilio(app))

    assert _messages(app) == []
    stored = _texts(app)[0]
    assert (stored.was_open, stored.handling, stored.forwarded_to) == (True, "not_forwarded", None)


# Opting out


@pytest.mark.parametrize("body", ["STOP", "stop", "Stop.", "STOPALL", "ARRET", "Arrêt", "arrêt", "Arrêt.", "arrêt !",
                                  "ARRETE", "Arrête!", " Stop \n", "Unsubscribe", "QUIT", "end", "Cancel"])
def test_an_opt_out_keyword_is_recorded_and_never_answered_or_forwarded(app, twilio, clock, body):
    clock.now = DURING_VACATION

    _send(twilio, body=body)

    assert _messages(app) == []
    assert _texts(app)[0].handling == "opt_out"
    with app.extensions["releve.db"].begin() as connection:
        assert outbox.is_opted_out(connection, PATIENT)


def test_after_stop_a_closed_practice_forwards_the_text_but_sends_no_reply_until_start(app, twilio, clock):
    clock.now = DURING_VACATION
    _send(twilio, body="STOP", sid="SM1")

    _send(twilio, body="J'ai mal", sid="SM2")

    assert [m.purpose for m in _messages(app)] == ["forward"]
    assert _texts(app)[1].replied is False

    _send(twilio, body="START", sid="SM3")
    _send(twilio, body="J'ai toujours mal", sid="SM4")

    assert [m.purpose for m in _messages(app)] == ["forward", "forward", "auto_reply"]
    assert [t.handling for t in _texts(app)] == ["opt_out", "forwarded", "opt_in", "forwarded"]


def test_a_reply_queued_before_stop_is_not_sent_after_it(app, twilio, clock):
    clock.now = DURING_VACATION
    _send(twilio, sid="SM1")
    _send(twilio, body="Arrêt", sid="SM2")

    outbound.deliver_due(app.extensions["releve.db"], app.extensions["releve.transports"], DURING_VACATION)

    [reply] = _messages(app, "auto_reply")
    assert (reply.state, reply.error_code) == ("failed", 21610)
    assert _messages(app, "forward")[0].state == "outbox"  # the office still gets the patient's text


def test_a_missed_call_sends_no_text_back_to_a_number_that_opted_out(app, twilio, clock):
    clock.now = TUESDAY_MORNING
    _send(twilio, body="STOP")

    _miss_a_call(twilio)

    assert _messages(app) == []


def test_help_is_left_to_twilio_and_not_answered(app, twilio, clock):
    clock.now = DURING_VACATION

    _send(twilio, body="Help")

    assert _messages(app) == []
    assert _texts(app)[0].handling == "help"


# The text back to a caller the front desk missed


def _miss_a_call(twilio, call_sid="CA00000000000000000000000000000001", caller=PATIENT):
    dial = twilio.twiml("/twilio/voice", incoming(call_sid=call_sid, caller=caller)).find("Dial")
    return twilio.twiml(dial.attrib["action"].removeprefix(BASE),
                        {**incoming(call_sid=call_sid, caller=caller), "DialCallStatus": "no-answer"})


def test_a_caller_the_front_desk_missed_is_texted_that_the_practice_will_call_back(app, twilio, clock):
    clock.now = TUESDAY_MORNING

    after = _miss_a_call(twilio)

    assert after.find("Record") is not None  # the caller may still leave a voicemail
    assert [(m.kind, m.purpose, m.recipient, m.sender, m.body) for m in _messages(app)] == [
        ("sms", "text_back", PATIENT, DUPONT,
         "Le cabinet dentaire Dupont n'a pas pu prendre votre appel. Nous vous rappellerons dès que possible.")]


def test_a_second_missed_call_the_same_day_sends_no_second_text(app, twilio, clock):
    clock.now = TUESDAY_MORNING
    _miss_a_call(twilio, call_sid="CA1")
    clock.now = TUESDAY_MORNING.replace(hour=15)

    _miss_a_call(twilio, call_sid="CA2")

    assert len(_messages(app, "text_back")) == 1


def test_a_missed_call_the_next_day_is_texted_again(app, twilio, clock):
    clock.now = TUESDAY_MORNING
    _miss_a_call(twilio, call_sid="CA1")
    clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    _miss_a_call(twilio, call_sid="CA2")

    assert len(_messages(app, "text_back")) == 2


@pytest.mark.parametrize("caller", ["anonymous", "unknown", "Restricted", "36179"])
def test_a_withheld_caller_gets_no_text_back(app, twilio, clock, caller):
    clock.now = TUESDAY_MORNING

    _miss_a_call(twilio, caller=caller)

    assert _messages(app) == []


def test_a_call_the_front_desk_answers_sends_no_text(app, twilio, clock):
    clock.now = TUESDAY_MORNING
    dial = twilio.twiml("/twilio/voice", incoming()).find("Dial")

    twilio.twiml(dial.attrib["action"].removeprefix(BASE), {**incoming(), "DialCallStatus": "completed"})

    assert _messages(app) == []


def test_a_caller_missed_while_closed_gets_no_text_back(app, twilio, clock):
    clock.now = DURING_VACATION
    dial = twilio.twiml("/twilio/voice", incoming()).find("Dial")
    second = twilio.twiml(dial.attrib["action"].removeprefix(BASE), {**incoming(), "DialCallStatus": "no-answer"})

    twilio.twiml(second.find("Dial").attrib["action"].removeprefix(BASE), {**incoming(), "DialCallStatus": "busy"})

    assert _messages(app) == []  # the voicemail names the covering office; no promise to call back


# Delivery reports


def test_a_status_callback_for_a_message_that_is_not_ours_is_acknowledged(twilio):
    answer = twilio.post("/twilio/sms/status", {"MessageSid": "SMunknown", "MessageStatus": "delivered"})

    assert answer.status_code == 204
