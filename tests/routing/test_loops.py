"""No loops: an answering service's robot replying from another number, a robot echoing Relève's
own forward, and two Relève practices covering each other all stop after a few messages, and the
practice is told. Each round, the test plays the robot: every forward it receives, it answers."""
from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from coverage.store import tables
from tests.conftest import build_app
from tests.routing.conftest import BASE, TOKEN, Twilio

DURING_VACATION = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
DUPONT, PLATEAU = "+33186951234", "+14384012290"
MARTIN_MOBILE = "+33612345678"
ROBOT = "+33699990000"  # the answering service's robot, which replies from a number of its own
PATIENT = "+33698765432"
ROUNDS = 40


def text(twilio: Twilio, sender: str, to: str, body: str) -> None:
    answer = twilio.post("/twilio/sms", {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32,
                                         "From": sender, "To": to, "Body": body, "NumMedia": "0"})
    assert answer.status_code == 200


def messages(app, purpose: str | None = None) -> list:
    query = select(tables.messages).order_by(tables.messages.c.id)
    if purpose:
        query = query.where(tables.messages.c.purpose == purpose)
    with app.extensions["releve.db"].begin() as connection:
        return list(connection.execute(query))


def play_the_robot(app, clock, robot: str, reply) -> int:
    """Each forward sent to the robot's office is answered by the robot; returns the rounds played."""
    twilio, answered, rounds = Twilio(app), set(), 0
    for _ in range(ROUNDS):
        fresh = [m for m in messages(app, "forward") if m.id not in answered and m.recipient == MARTIN_MOBILE]
        if not fresh:
            break
        for forward in fresh:
            answered.add(forward.id)
            clock.now += timedelta(seconds=5)  # a robot answers within seconds
            text(twilio, robot, DUPONT, reply(forward.body))
        rounds += 1
    return rounds


def test_a_robot_answering_from_another_number_stops_after_a_few_forwards_and_the_practice_is_told(app, clock):
    clock.now = DURING_VACATION
    text(Twilio(app), PATIENT, DUPONT, "Bonjour, j'ai une dent cassée")

    rounds = play_the_robot(app, clock, ROBOT, lambda body: "Bien reçu, nous traitons votre demande.")

    forwards = messages(app, "forward")
    assert rounds < ROUNDS  # it stopped by itself
    assert len(forwards) <= 8  # the patient's, and a few of the robot's
    [told] = messages(app, "loop")
    assert told.recipient == "secretariat@cabinet-dupont.example.fr"
    assert ROBOT in told.body and "arrivent trop vite" in told.body


def test_a_robot_echoing_releves_own_forward_is_never_forwarded_back(app, clock):
    clock.now = DURING_VACATION
    text(Twilio(app), PATIENT, DUPONT, "Bonjour, j'ai une dent cassée")

    rounds = play_the_robot(app, clock, ROBOT, lambda body: f"Vous avez écrit : {body}")

    assert rounds == 1 and len(messages(app, "forward")) == 1
    with app.extensions["releve.db"].begin() as connection:
        handled = connection.execute(select(tables.texts.c.sender, tables.texts.c.handling)).all()
    assert (ROBOT, "loop") in handled


def test_two_releve_practices_covering_each_other_do_not_loop(example_settings, tmp_path, clock):
    # Each practice names the other's Relève number as its covering office's mobile.
    offices = {**example_settings.offices,
               "cabinet-martin": replace(example_settings.offices["cabinet-martin"], sms=PLATEAU, email=None),
               "clinique-rosemont": replace(example_settings.offices["clinique-rosemont"], sms=DUPONT, email=None)}
    dupont, plateau = example_settings.practices
    practices = (replace(dupont, closure_chain=("cabinet-martin",)), replace(plateau, closure_chain=("clinique-rosemont",)))
    app = build_app(replace(example_settings, offices=offices, practices=practices), tmp_path, clock,
                    TWILIO_AUTH_TOKEN=TOKEN, RELEVE_PUBLIC_URLS=(BASE,))
    twilio = Twilio(app)
    clock.now = DURING_VACATION

    text(twilio, PATIENT, DUPONT, "Bonjour, j'ai une dent cassée")
    for _ in range(ROUNDS):  # whatever each sends, the other receives
        for message in messages(app, "forward"):
            if message.recipient in (DUPONT, PLATEAU):
                text(twilio, message.sender, message.recipient, message.body)

    assert [m for m in messages(app) if m.kind == "sms" and m.recipient in (DUPONT, PLATEAU)] == []
    [told] = messages(app, "loop")
    assert "numéro Relève" in told.body and told.recipient == "secretariat@cabinet-dupont.example.fr"
    with app.extensions["releve.db"].begin() as connection:
        [patient] = connection.execute(select(tables.texts)).all()
    # The vacation's event names the permanence too: it has the text, by email.
    assert (patient.handling, patient.forwarded_to) == ("forwarded", "equipe@permanence-sante.example.fr")


def test_a_text_from_any_releve_number_is_neither_forwarded_nor_answered(app, clock):
    clock.now = DURING_VACATION

    text(Twilio(app), PLATEAU, DUPONT, "[Clinique vétérinaire du Plateau] SMS de +1 514 555 0100 : bonjour")

    assert messages(app) == []
