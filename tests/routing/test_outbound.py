"""Outbound texts and emails: through the real twilio client and a real SMTP server, each sent once,
retried when it can help, and visible when it failed for good."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from config.env import Smtp
from coverage.privacy import masked
from coverage.store import outbox
from coverage.store.outbox import LEASE, MAX_ATTEMPTS, backoff
from coverage.store.tables import messages
from coverage.wording.segments import segments
from routing import outbound, transports
from routing.outbound import deliver, deliver_due
from tests.conftest import sign_in
from tests.routing.conftest import BASE, SENDER, TOKEN, Twilio, free_port
from tests.twilio_api import HANG

PRACTICE_NUMBER = "+33186951234"  # cabinet-dupont's Twilio number in the example configuration
PATIENT = "+33698765432"
OFFICE_EMAIL = "accueil@cabinet-martin.example.fr"
FRENCH = "Réponse à «\u00a0Mme Léa Françoise\u00a0» : l’accueil rappellera après 14 h, c’est noté."


# -- helpers ---------------------------------------------------------------------------------------

def queue_text(app, now, *, to=PATIENT, body="Le cabinet est fermé. Appelez le 01 42 00 11 22.", **options):
    with app.extensions["releve.db"].begin() as connection:
        return outbox.queue_sms(connection, practice_id="cabinet-dupont", purpose="auto_reply",
                                  sender=PRACTICE_NUMBER, to=to, body=body, at=now, **options)


def queue_mail(app, now, *, to=OFFICE_EMAIL, subject="SMS pour le cabinet", text="Un patient a écrit.", html=None):
    with app.extensions["releve.db"].begin() as connection:
        return outbox.queue_email(connection, practice_id="cabinet-dupont", purpose="forward", to=to,
                                    subject=subject, text=text, html=html, at=now)


def send_due(app, now):
    return deliver_due(app.extensions["releve.db"], app.extensions["releve.transports"], now)


def row(app, message_id):
    with app.extensions["releve.db"].begin() as connection:
        return connection.execute(select(messages).where(messages.c.id == message_id)).one()


def count_messages(app):
    with app.extensions["releve.db"].begin() as connection:
        return connection.execute(select(func.count()).select_from(messages)).scalar_one()


def opted_out(app, number):
    with app.extensions["releve.db"].begin() as connection:
        return outbox.is_opted_out(connection, number)


def status(app, sid, message_status, **extra):
    return Twilio(app).post("/twilio/sms/status", {"MessageSid": sid, "MessageStatus": message_status, **extra})


# -- an SMS, from queue to handset -------------------------------------------------------------------

def test_a_queued_text_reaches_twilio_from_the_practice_number_with_the_exact_body(app_with_twilio, twilio_api,
                                                                                   clock):
    message_id = queue_text(app_with_twilio, clock.now, body=FRENCH)

    assert send_due(app_with_twilio, clock.now) == 1

    [received] = twilio_api.requests
    assert received.authorized
    assert received.form["From"] == PRACTICE_NUMBER
    assert received.form["To"] == PATIENT
    assert received.form["Body"] == FRENCH
    assert received.form["StatusCallback"] == f"{BASE}/twilio/sms/status"
    [answer] = twilio_api.messages
    sent = row(app_with_twilio, message_id)
    assert (sent.state, sent.provider_id, sent.attempts) == ("sent", answer["sid"], 1)
    assert sent.provider_id.startswith("SM") and len(sent.provider_id) == 34
    assert sent.segments == segments(FRENCH) == 2  # « » and ’ make it UCS-2: 70 characters a segment
    assert (sent.last_error, sent.error_code) == (None, None)


def test_the_delivered_callback_marks_the_text_delivered_and_a_late_sent_does_not_undo_it(app_with_twilio, clock):
    message_id = queue_text(app_with_twilio, clock.now)
    send_due(app_with_twilio, clock.now)
    sid = row(app_with_twilio, message_id).provider_id

    assert status(app_with_twilio, sid, "delivered").status_code == 204
    assert row(app_with_twilio, message_id).state == "delivered"

    assert status(app_with_twilio, sid, "sent").status_code == 204  # callbacks may arrive out of order
    assert row(app_with_twilio, message_id).state == "delivered"


def test_an_undelivered_callback_marks_the_text_failed_with_the_carrier_error(app_with_twilio, clock):
    message_id = queue_text(app_with_twilio, clock.now)
    send_due(app_with_twilio, clock.now)
    sid = row(app_with_twilio, message_id).provider_id

    assert status(app_with_twilio, sid, "undelivered", ErrorCode="30003").status_code == 204

    failed = row(app_with_twilio, message_id)
    assert (failed.state, failed.error_code) == ("failed", 30003)
    assert "30003" in failed.last_error and "undelivered" in failed.last_error


def test_a_status_callback_for_someone_elses_message_changes_nothing(app_with_twilio, clock):
    message_id = queue_text(app_with_twilio, clock.now)
    send_due(app_with_twilio, clock.now)

    assert status(app_with_twilio, "SM" + "f" * 32, "failed", ErrorCode="30008").status_code == 204

    assert row(app_with_twilio, message_id).state == "sent"


def test_an_unsigned_status_callback_is_refused_and_changes_nothing(app_with_twilio, clock):
    message_id = queue_text(app_with_twilio, clock.now)
    send_due(app_with_twilio, clock.now)
    sid = row(app_with_twilio, message_id).provider_id

    unsigned = Twilio(app_with_twilio).post("/twilio/sms/status", {"MessageSid": sid, "MessageStatus": "failed"},
                                            token=None)
    forged = Twilio(app_with_twilio).post("/twilio/sms/status", {"MessageSid": sid, "MessageStatus": "failed"},
                                          token="not-our-token")

    assert (unsigned.status_code, forged.status_code) == (403, 403)
    assert row(app_with_twilio, message_id).state == "sent"


def test_a_status_callback_without_a_status_is_a_bad_request(app_with_twilio, clock):
    message_id = queue_text(app_with_twilio, clock.now)
    send_due(app_with_twilio, clock.now)
    sid = row(app_with_twilio, message_id).provider_id

    answer = Twilio(app_with_twilio).post("/twilio/sms/status", {"MessageSid": sid})

    assert answer.status_code == 400
    assert row(app_with_twilio, message_id).state == "sent"


# -- temporary failures ----------------------------------------------------------------------------

def test_a_text_twilio_could_not_take_is_retried_after_the_backoff_and_not_before(app_with_twilio, twilio_api, clock):
    twilio_api.script(PATIENT, 500, 429)
    message_id = queue_text(app_with_twilio, clock.now)
    start = clock.now

    send_due(app_with_twilio, start)  # 500
    waiting = row(app_with_twilio, message_id)
    assert (waiting.state, waiting.attempts, waiting.error_code) == ("queued", 1, 20500)
    assert "500" in waiting.last_error
    send_due(app_with_twilio, start + timedelta(seconds=10))
    assert len(twilio_api.requests) == 1  # not yet: the first backoff is 30 s

    second = start + backoff(1)
    send_due(app_with_twilio, second)  # 429
    assert len(twilio_api.requests) == 2
    assert row(app_with_twilio, message_id).error_code == 20429
    send_due(app_with_twilio, second + backoff(2) - timedelta(seconds=1))
    assert len(twilio_api.requests) == 2

    send_due(app_with_twilio, second + backoff(2))
    sent = row(app_with_twilio, message_id)
    assert len(twilio_api.requests) == 3
    assert (sent.state, sent.attempts, sent.last_error, sent.error_code) == ("sent", 3, None, None)
    assert sent.provider_id == twilio_api.messages[0]["sid"]


def test_a_text_that_keeps_failing_for_a_while_is_given_up_after_the_last_attempt(app_with_twilio, twilio_api, clock):
    twilio_api.script(PATIENT, *[500] * MAX_ATTEMPTS)
    message_id = queue_text(app_with_twilio, clock.now)
    now = clock.now

    for attempt in range(1, MAX_ATTEMPTS + 1):
        send_due(app_with_twilio, now)
        now += backoff(attempt)
    send_due(app_with_twilio, now + timedelta(days=1))

    failed = row(app_with_twilio, message_id)
    assert len(twilio_api.requests) == MAX_ATTEMPTS
    assert (failed.state, failed.attempts, failed.error_code) == ("failed", MAX_ATTEMPTS, 20500)


def test_twilio_not_answering_is_a_temporary_failure_after_a_timeout(monkeypatch, twilio_app_factory, twilio_api,
                                                                     clock):
    monkeypatch.setattr(transports, "TIMEOUT_SECONDS", 0.5)
    app = twilio_app_factory()
    twilio_api.script(PATIENT, HANG)
    message_id = queue_text(app, clock.now)

    handled = []
    sender = threading.Thread(target=lambda: handled.append(send_due(app, clock.now)))
    sender.start()
    sender.join(timeout=5)
    assert not sender.is_alive(), "the dispatcher waits forever on a Twilio that does not answer"

    waiting = row(app, message_id)
    assert handled == [1]
    assert (waiting.state, waiting.attempts) == ("queued", 1)
    assert "could not be reached" in waiting.last_error


def test_a_network_error_is_temporary(example_settings, tmp_path, clock):
    from app import create_app

    app = create_app(example_settings, {
        "TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path), "RELEVE_BACKGROUND_REFRESH": False,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{free_port()}"})
    message_id = queue_text(app, clock.now)

    send_due(app, clock.now)

    waiting = row(app, message_id)
    app.extensions["releve.transports"].sms.client.http_client.session.close()
    assert (waiting.state, waiting.attempts) == ("queued", 1)
    assert waiting.last_error.startswith("Twilio could not be reached: ConnectionError")


# -- permanent failures ----------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "words"), [(21610, "unsubscribed recipient"), (21211, "not a valid phone number")])
def test_a_text_twilio_refuses_for_good_is_not_retried_and_says_why(app_with_twilio, twilio_api, clock, code, words):
    twilio_api.script(PATIENT, code)
    message_id = queue_text(app_with_twilio, clock.now)

    send_due(app_with_twilio, clock.now)
    send_due(app_with_twilio, clock.now + timedelta(hours=1))
    send_due(app_with_twilio, clock.now + timedelta(days=3))

    failed = row(app_with_twilio, message_id)
    assert len(twilio_api.requests) == 1
    assert (failed.state, failed.error_code, failed.attempts) == ("failed", code, 1)
    assert words in failed.last_error and str(code) in failed.last_error and masked(PATIENT) in failed.last_error


def test_an_unsubscribed_number_is_remembered_and_never_texted_again(app_with_twilio, twilio_api, clock):
    twilio_api.script(PATIENT, 21610)
    queue_text(app_with_twilio, clock.now)
    send_due(app_with_twilio, clock.now)

    assert opted_out(app_with_twilio, PATIENT)
    assert queue_text(app_with_twilio, clock.now + timedelta(minutes=5), body="Un autre message") is None
    assert count_messages(app_with_twilio) == 1
    send_due(app_with_twilio, clock.now + timedelta(hours=1))
    assert len(twilio_api.requests) == 1


def test_a_number_that_opts_out_after_queuing_is_not_texted(app_with_twilio, twilio_api, clock):
    message_id = queue_text(app_with_twilio, clock.now)
    with app_with_twilio.extensions["releve.db"].begin() as connection:
        outbox.set_opted_out(connection, PATIENT, "STOP", clock.now, True)

    send_due(app_with_twilio, clock.now)

    failed = row(app_with_twilio, message_id)
    assert twilio_api.requests == []
    assert (failed.state, failed.error_code) == ("failed", 21610)


def test_a_body_over_1600_characters_is_refused_for_good_like_twilio_does(app_with_twilio, twilio_api, clock):
    message_id = queue_text(app_with_twilio, clock.now, body="a" * 1601)

    send_due(app_with_twilio, clock.now)
    send_due(app_with_twilio, clock.now + timedelta(hours=2))

    failed = row(app_with_twilio, message_id)
    assert len(twilio_api.requests) == 1
    assert (failed.state, failed.error_code) == ("failed", 21617)
    assert "1600 character" in failed.last_error
    assert not opted_out(app_with_twilio, PATIENT)


def test_wrong_twilio_credentials_are_visible_and_the_text_goes_out_once_they_are_fixed(twilio_app_factory,
                                                                                       twilio_api, clock):
    twilio_api.auth_token = "rotated-token"  # the token was changed in Twilio's console
    app = twilio_app_factory()
    message_id = queue_text(app, clock.now)

    send_due(app, clock.now)

    waiting = row(app, message_id)
    assert not twilio_api.requests[0].authorized
    assert (waiting.state, waiting.error_code) == ("queued", 20003)
    assert "HTTP 401" in waiting.last_error
    twilio_api.auth_token = TOKEN  # the host puts the new token in place
    send_due(app, clock.now + backoff(1))
    assert row(app, message_id).state == "sent"


# -- sent once, whatever happens ------------------------------------------------------------------

def test_delivering_twice_sends_once(app_with_twilio, twilio_api, clock):
    queue_text(app_with_twilio, clock.now)

    assert send_due(app_with_twilio, clock.now) == 1
    assert send_due(app_with_twilio, clock.now + timedelta(minutes=10)) == 0

    assert len(twilio_api.requests) == 1


def test_two_processes_delivering_one_after_the_other_send_once(twilio_app_factory, twilio_api, clock):
    first, second = twilio_app_factory(), twilio_app_factory()
    queue_text(first, clock.now)

    send_due(first, clock.now)
    send_due(second, clock.now + timedelta(seconds=1))

    assert len(twilio_api.requests) == 1
    assert count_messages(second) == 1


def test_two_processes_delivering_at_the_same_time_send_each_text_once(twilio_app_factory, twilio_api, clock):
    processes = [twilio_app_factory() for _ in range(2)]
    numbers = [f"+336987654{n:02}" for n in range(10)]
    for number in numbers:
        queue_text(processes[0], clock.now, to=number)
    start = threading.Barrier(len(processes))
    errors = []

    def run(app):
        try:
            start.wait()
            send_due(app, clock.now)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(app,)) for app in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(r.form["To"] for r in twilio_api.requests) == numbers
    with processes[1].extensions["releve.db"].begin() as connection:
        assert set(connection.execute(select(messages.c.state)).scalars()) == {"sent"}


class ProcessDied(BaseException):
    """Stands for a process killed while it held a message (not an error anything catches)."""


class DyingSms:
    def send_sms(self, sender, to, body, status_callback):
        raise ProcessDied


def test_a_text_left_sending_by_a_dead_process_is_sent_by_another_after_the_lease(twilio_app_factory, twilio_api,
                                                                                  clock):
    dead, alive = twilio_app_factory(), twilio_app_factory()
    message_id = queue_text(dead, clock.now)
    dying = outbound.Transports(DyingSms(), dead.extensions["releve.transports"].email)
    with pytest.raises(ProcessDied):
        deliver(dead.extensions["releve.db"], dying, message_id, clock.now)
    assert row(alive, message_id).state == "sending"

    assert send_due(alive, clock.now + timedelta(minutes=1)) == 0
    assert send_due(alive, clock.now + LEASE) == 0
    assert twilio_api.requests == []

    assert send_due(alive, clock.now + LEASE + timedelta(seconds=1)) == 1
    assert len(twilio_api.requests) == 1
    assert row(alive, message_id).state == "sent"


def test_texts_queued_before_a_restart_are_sent_by_the_new_process(twilio_app_factory, twilio_api, clock, tmp_path):
    before = twilio_app_factory()
    queue_text(before, clock.now, to="+33698765401")
    queue_text(before, clock.now, to="+33698765402")
    before.extensions["releve.db"].dispose()  # the process stops before sending anything

    after = twilio_app_factory()
    assert send_due(after, clock.now + timedelta(seconds=5)) == 2

    assert [r.form["To"] for r in twilio_api.requests] == ["+33698765401", "+33698765402"]


def test_the_same_dedupe_key_stores_one_message(app_with_twilio, twilio_api, clock):
    key = "auto_reply:cabinet-dupont:noel@2026-12-27:+33698765432"

    first = queue_text(app_with_twilio, clock.now, dedupe_key=key)
    second = queue_text(app_with_twilio, clock.now + timedelta(minutes=3), body="Autre", dedupe_key=key)
    send_due(app_with_twilio, clock.now + timedelta(minutes=4))

    assert first is not None and second is None
    assert count_messages(app_with_twilio) == 1
    assert len(twilio_api.requests) == 1


# -- email ------------------------------------------------------------------------------------------

def test_an_email_arrives_with_a_text_and_an_html_part_and_french_intact(app_with_smtp, smtp_server, clock):
    subject = "SMS pour le cabinet : « urgence » à traiter, ça presse — l’accueil"
    html = f"<p>{FRENCH}</p><p>Répondre à <b>+33 6 98 76 54 32</b>.</p>"
    message_id = queue_mail(app_with_smtp, clock.now, subject=subject, text=FRENCH, html=html)

    assert send_due(app_with_smtp, clock.now) == 1

    [mail] = smtp_server.received
    assert smtp_server.envelopes == [(SENDER, [OFFICE_EMAIL])]
    assert mail["Subject"] == subject
    assert mail["To"] == OFFICE_EMAIL
    assert mail["From"].addresses[0].display_name == "Relève"
    assert mail["From"].addresses[0].addr_spec == SENDER
    assert mail.get_content_type() == "multipart/alternative"
    assert mail.get_body(("plain",)).get_content().strip() == FRENCH
    assert mail.get_body(("html",)).get_content().strip() == html
    sent = row(app_with_smtp, message_id)
    assert sent.state == "sent"
    assert sent.provider_id == mail["Message-ID"]
    assert sent.provider_id.endswith("@cabinet.example.fr>")


def test_an_email_without_html_is_plain_text_only(app_with_smtp, smtp_server, clock):
    queue_mail(app_with_smtp, clock.now, text="Écrit à 23 h : « rappeler demain », merci.")

    send_due(app_with_smtp, clock.now)

    [mail] = smtp_server.received
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content().strip() == "Écrit à 23 h : « rappeler demain », merci."


def test_an_address_the_mail_server_refuses_with_550_fails_for_good(app_with_smtp, smtp_server, clock):
    smtp_server.refuse[OFFICE_EMAIL] = "550 5.1.1 <accueil@cabinet-martin.example.fr>: no such user"
    message_id = queue_mail(app_with_smtp, clock.now)

    send_due(app_with_smtp, clock.now)
    send_due(app_with_smtp, clock.now + timedelta(hours=1))

    failed = row(app_with_smtp, message_id)
    assert smtp_server.received == []
    assert (failed.state, failed.attempts, failed.error_code) == ("failed", 1, 550)
    assert "no such user" in failed.last_error


def test_an_address_the_mail_server_defers_with_450_is_tried_again(app_with_smtp, smtp_server, clock):
    smtp_server.refuse[OFFICE_EMAIL] = "450 4.2.0 <accueil@cabinet-martin.example.fr>: greylisted, come back later"
    message_id = queue_mail(app_with_smtp, clock.now)

    send_due(app_with_smtp, clock.now)
    waiting = row(app_with_smtp, message_id)
    del smtp_server.refuse[OFFICE_EMAIL]
    send_due(app_with_smtp, clock.now + backoff(1))

    assert (waiting.state, waiting.error_code) == ("queued", 450)
    assert row(app_with_smtp, message_id).state == "sent"
    assert len(smtp_server.received) == 1


def test_a_mail_server_that_cannot_be_reached_is_tried_again(example_settings, tmp_path, clock):
    from app import create_app

    closed = Smtp("127.0.0.1", free_port(), sender=SENDER, starttls=False)
    app = create_app(example_settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(tmp_path),
                                        "RELEVE_BACKGROUND_REFRESH": False, "RELEVE_SMTP": closed})
    message_id = queue_mail(app, clock.now)

    send_due(app, clock.now)

    waiting = row(app, message_id)
    assert (waiting.state, waiting.attempts) == ("queued", 1)
    assert "could not be reached" in waiting.last_error


# -- without credentials: the local outbox ---------------------------------------------------------

def test_without_credentials_messages_stay_in_the_local_outbox(app, clock):
    text_id = queue_text(app, clock.now, body="Le cabinet rouvre lundi à 8 h 30.")
    mail_id = queue_mail(app, clock.now, subject="SMS pour le cabinet", text="Un patient a écrit.")

    assert send_due(app, clock.now) == 2

    assert row(app, text_id).state == row(app, mail_id).state == "outbox"
    assert (row(app, text_id).provider_id, row(app, text_id).attempts) == (None, 1)


def test_the_outbox_list_command_shows_each_message_with_its_recipient_and_body(app, clock):
    queue_text(app, clock.now, body="Le cabinet rouvre lundi à 8 h 30.")
    queue_mail(app, clock.now, subject="SMS pour le cabinet", text="Un patient a écrit.")
    send_due(app, clock.now)

    result = app.test_cli_runner().invoke(args=["outbox", "list"])

    assert result.exit_code == 0, result.output
    assert f"outbox     sms    auto_reply  to {PATIENT}" in result.output
    assert "    Le cabinet rouvre lundi à 8 h 30." in result.output
    assert f"outbox     email  forward     to {OFFICE_EMAIL}" in result.output
    assert "    subject: SMS pour le cabinet" in result.output


def test_the_outbox_list_command_shows_why_a_message_failed(app_with_twilio, twilio_api, clock):
    twilio_api.script(PATIENT, 21211)
    queue_text(app_with_twilio, clock.now)
    send_due(app_with_twilio, clock.now)

    result = app_with_twilio.test_cli_runner().invoke(args=["outbox", "list"])

    assert "failed" in result.output
    assert "    error: Twilio refused the SMS" in result.output and "21211" in result.output


def test_the_outbox_deliver_command_sends_what_is_due(app_with_twilio, twilio_api, clock):
    queue_text(app_with_twilio, clock.now)

    result = app_with_twilio.test_cli_runner().invoke(args=["outbox", "deliver"])

    assert result.exit_code == 0, result.output
    assert result.output == "1 message(s) handled\n"
    assert len(twilio_api.requests) == 1


def test_the_home_page_shows_the_outbox(app, clock):
    queue_text(app, clock.now, body="Le cabinet rouvre lundi à 8 h 30.")
    send_due(app, clock.now)

    client = app.test_client()
    sign_in(client)
    page = client.get("/").get_data(as_text=True)

    outbox = page[page.index('<section class="card" id="outbox">'):]
    outbox = outbox[:outbox.index("</section>")]
    assert "boîte locale" in outbox
    assert PATIENT in outbox
    assert "Le cabinet rouvre lundi à 8\u00a0h\u00a030." in outbox  # set on the page, not in the text


def test_the_home_page_says_when_nothing_was_sent(app):
    client = app.test_client()
    sign_in(client)
    page = client.get("/").get_data(as_text=True)

    assert 'id="outbox"' in page
    assert "Aucun message pour l'instant" in page or "Aucun message pour l&#39;instant" in page


# -- once, even when the mail server is slow or the process dies ----------------------------------

def test_an_email_sent_again_after_a_crash_is_the_same_message_to_the_mail_client(app_with_smtp, smtp_server, clock):
    message_id = queue_mail(app_with_smtp, clock.now)
    send_due(app_with_smtp, clock.now)
    # The server stored it, and the process died before recording that: after the lease it goes again.
    with app_with_smtp.extensions["releve.db"].begin() as connection:
        connection.execute(messages.update().where(messages.c.id == message_id).values(
            state="sending", claimed_until=clock.now))
    send_due(app_with_smtp, clock.now + LEASE + timedelta(seconds=1))

    first, second = smtp_server.received
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].startswith("<releve.") and first["Message-ID"].endswith("@cabinet.example.fr>")


def test_in_a_batch_longer_than_the_lease_each_message_is_claimed_when_it_is_sent(app_with_smtp, smtp_server, clock):
    """A mail server taking four minutes a message: the fifth is sent a quarter of an hour after the
    batch began. While each one is being sent, another process must find its claim valid."""
    from routing.transports import SmtpEmail

    store, real = app_with_smtp.extensions["releve.db"], app_with_smtp.extensions["releve.transports"]
    for index in range(5):
        queue_mail(app_with_smtp, clock.now, subject=f"Fiche {index}")
    taken_by_the_other: list[int] = []

    class SlowServer(SmtpEmail):
        def send_email(self, *args, **kwargs):
            # Another process's dispatcher looks now, while this message is being sent.
            with store.begin() as connection:
                for row in connection.execute(select(messages).where(messages.c.state == "sending")).all():
                    if outbox.claim(connection, row.id, clock.now) is not None:
                        taken_by_the_other.append(row.id)
            sent = super().send_email(*args, **kwargs)
            clock.now += timedelta(minutes=4)
            return sent

    deliver_due(store, outbound.Transports(real.sms, SlowServer(real.email.settings)), clock)

    assert taken_by_the_other == []
    assert sorted(mail["Subject"] for mail in smtp_server.received) == [f"Fiche {index}" for index in range(5)]
