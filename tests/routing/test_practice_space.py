"""The practice's own space: its users, its page, « Fermer maintenant », its callback list and
contact log, its voicemails played through Relève, and the notices that make every contact reach
it (a voicemail at lunch, the morning digest). A practice's day is driven through the signed
webhooks with a given `now`; nothing of another practice ever shows."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from coverage.auth import make_user
from coverage.flask import snapshots
from coverage.store import tables
from routing.simulate import CallSimulator
from routing.worker import queue_notices
from tests.conftest import sign_in
from tests.routing.conftest import ACCOUNT_SID, TOKEN, Twilio, incoming

NBSP = "\u00a0"  # numbers on pages hold no-break spaces: read as a person reads them
DUPONT, PLATEAU = "cabinet-dupont", "clinique-plateau"
DUPONT_NUMBER, PLATEAU_NUMBER = "+33186951234", "+14384012290"
PASSWORD = "un mot de passe assez long"
# Wednesday 2 December 2026 in Paris (UTC+1): lunch from 12:30 to 14:00, open 8:30 to 19:00.
LUNCH = datetime(2026, 12, 2, 11, 45, tzinfo=UTC)           # 12:45 in Paris
EVENING = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)         # 19:30 in Paris
NEXT_OPENING = datetime(2026, 12, 3, 7, 30, tzinfo=UTC)     # Thursday 8:30 in Paris


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form token"
    return found.group(1)


def _user(app, email: str, practice_id: str, password: str | None = PASSWORD, name: str = "") -> None:
    with app.app_context():
        snapshots().directory()
        make_user(email, practice_id, name or email.split("@")[0], password, "test")


def _signed_in(app, email: str, password: str = PASSWORD):
    client = app.test_client()
    answer = sign_in(client, email, password)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return client


def _voicemail(app, twilio_api, call_sid: str, caller: str, to: str = DUPONT_NUMBER, practice: str = DUPONT,
               seconds: int = 42) -> str:
    """A caller nobody answered leaves a message: the webhooks Twilio posts, signed."""
    twilio = Twilio(app)
    recording = "RE" + call_sid[2:].ljust(32, "0")[:32]
    url = twilio_api.add_recording(recording, b"ID3\x04\x00" + call_sid.encode())
    form = incoming(call_sid, caller, to)
    twilio.twiml("/twilio/voice", form)
    twilio.twiml(f"/twilio/voice/recorded?practice={practice}", {
        **form, "RecordingUrl": url, "RecordingSid": recording, "RecordingDuration": str(seconds)})
    twilio.post("/twilio/voice/status", {**form, "CallStatus": "completed", "CallDuration": str(seconds + 20)})
    app.extensions["releve.contact_log"].flush()
    return recording


def _practice_messages(app, purpose: str) -> list:
    with app.extensions["releve.db"].begin() as connection:
        return list(connection.execute(select(tables.messages).where(tables.messages.c.purpose == purpose)
                                       .order_by(tables.messages.c.id)))


def test_a_user_sees_its_own_practice_and_nothing_of_another(app_with_twilio, twilio_api, clock):
    app = app_with_twilio
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT)
    _user(app, "accueil@clinique-plateau.example.ca", PLATEAU)
    clock.now = LUNCH
    _voicemail(app, twilio_api, "CA" + "d" * 32, "+33698765432")
    clock.now = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # 12:00 in Montréal: the clinic is open
    _voicemail(app, twilio_api, "CA" + "e" * 32, "+15145550199", PLATEAU_NUMBER, PLATEAU)

    dupont = _signed_in(app, "accueil@cabinet-dupont.example.fr")
    assert dupont.get("/practice/cabinet-dupont").status_code == 200
    for path in ("/practice/clinique-plateau", "/practice/clinique-plateau/callbacks",
                 "/practice/clinique-plateau/contacts", "/practice/clinique-plateau/contacts.csv",
                 f"/practice/clinique-plateau/voicemail/CA{'e' * 32}", f"/practice/cabinet-dupont/voicemail/CA{'e' * 32}",
                 "/", "/admin/users"):
        answer = dupont.get(path)
        assert answer.status_code in (302, 404), path
        assert b"514" not in answer.get_data(), path
    own = dupont.get("/practice/cabinet-dupont/contacts").get_data(as_text=True).replace(NBSP, " ")
    assert "+33 6 98 76 54 32" in own and "+1 514" not in own
    assert 'href="tel:+33698765432"' in own  # a number a phone dials at a touch, never cut across lines
    # Forms of the other practice are refused too, even with a valid token of this session.
    token = _token(dupont.get("/practice/cabinet-dupont").get_data(as_text=True))
    assert dupont.post("/practice/clinique-plateau/close-now", data={"csrf_token": token}).status_code == 404
    assert dupont.post("/practice/clinique-plateau/callbacks",
                       data={"csrf_token": token, "patient": "+15145550199"}).status_code == 404

    signed_out = app.test_client()
    answer = signed_out.get("/practice/cabinet-dupont/callbacks")
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]


def test_a_removed_user_is_signed_out_at_its_next_request(app_with_twilio):
    _user(app_with_twilio, "remplacante@cabinet-dupont.example.fr", DUPONT)
    client = _signed_in(app_with_twilio, "remplacante@cabinet-dupont.example.fr")
    assert client.get("/practice/cabinet-dupont").status_code == 200

    result = app_with_twilio.test_cli_runner().invoke(args=["users", "remove", "remplacante@cabinet-dupont.example.fr"])

    assert result.exit_code == 0, result.output
    assert client.get("/practice/cabinet-dupont").status_code == 302


def test_users_are_made_from_the_command_line_with_clear_refusals(app_with_twilio):
    runner = app_with_twilio.test_cli_runner()
    with app_with_twilio.app_context():
        snapshots().directory()

    made = runner.invoke(args=["users", "add", "Secretariat@Cabinet-Dupont.example.fr", "--practice", DUPONT])
    again = runner.invoke(args=["users", "add", "secretariat@cabinet-dupont.example.fr", "--practice", DUPONT])
    unknown = runner.invoke(args=["users", "add", "x@example.fr", "--practice", "cabinet-dupond"])
    listed = runner.invoke(args=["users", "list"])

    assert made.exit_code == 0 and "secretariat@cabinet-dupont.example.fr can sign in to cabinet-dupont" in made.output
    assert again.exit_code != 0 and "has an account already" in again.output
    assert unknown.exit_code != 0 and "no practice “cabinet-dupond”" in unknown.output and DUPONT in unknown.output
    assert "cabinet-dupont\tsecretariat@cabinet-dupont.example.fr" in listed.output


def test_an_emailed_link_signs_in_once_and_not_after_it_expired(app_with_twilio, clock):
    app = app_with_twilio
    _user(app, "dr.dupont@cabinet-dupont.example.fr", DUPONT, password=None)
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)

    sent = client.post("/sign-in/link", data={"csrf_token": _token(page), "email": "Dr.Dupont@cabinet-dupont.example.fr"})
    nobody = client.post("/sign-in/link", data={"csrf_token": _token(page), "email": "personne@example.fr"})

    assert sent.status_code == nobody.status_code == 200
    assert 'id="link-sent"' in sent.get_data(as_text=True) and 'id="link-sent"' in nobody.get_data(as_text=True)
    [email] = _practice_messages(app, "sign_in")
    assert email.recipient == "dr.dupont@cabinet-dupont.example.fr"
    link = re.search(r"https?://\S+/sign-in/link/\S+", email.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    # Opening the link (a mail scanner does it too) changes nothing; its button signs in.
    confirm = client.get("/" + path).get_data(as_text=True)
    assert client.get("/practice/cabinet-dupont").status_code == 302
    answer = client.post("/" + path, data={"csrf_token": _token(confirm)})
    assert answer.status_code == 303 and answer.headers["Location"] == "/practice/cabinet-dupont"
    assert client.get("/practice/cabinet-dupont").status_code == 200

    other = app.test_client()
    again = other.post("/" + path, data={"csrf_token": _token(other.get("/" + path).get_data(as_text=True))})
    assert again.status_code == 410 and other.get("/practice/cabinet-dupont").status_code == 302

    page = other.get("/sign-in").get_data(as_text=True)
    other.post("/sign-in/link", data={"csrf_token": _token(page), "email": "dr.dupont@cabinet-dupont.example.fr"})
    late = re.search(r"/sign-in/link/\S+", _practice_messages(app, "sign_in")[-1].body).group(0)
    clock.now = clock.now + timedelta(minutes=21)
    expired = other.post(late, data={"csrf_token": _token(other.get(late).get_data(as_text=True))})
    assert expired.status_code == 410


def test_a_user_without_a_password_cannot_sign_in_with_an_empty_one(app_with_twilio):
    _user(app_with_twilio, "lien@cabinet-dupont.example.fr", DUPONT, password=None)
    client = app_with_twilio.test_client()

    assert sign_in(client, "lien@cabinet-dupont.example.fr", "").status_code in (400, 401)
    assert sign_in(client, "lien@cabinet-dupont.example.fr", "x").status_code == 401


def test_a_lunch_voicemail_reaches_the_practice_is_ticked_off_and_can_be_undone(app_with_twilio, twilio_api, clock):
    app = app_with_twilio
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT, name="Sophie")
    clock.now = LUNCH
    _voicemail(app, twilio_api, "CA" + "1" * 32, "+33698765432")

    clock.now = LUNCH + timedelta(minutes=1)
    lines = queue_notices(app)

    assert any("voicemail notice" in line for line in lines), lines
    [notice] = _practice_messages(app, "voicemail")
    assert notice.recipient == "secretariat@cabinet-dupont.example.fr"
    assert "+33 6 98 76 54 32" in notice.subject
    assert "/practice/cabinet-dupont/callbacks" in notice.body
    assert "api.twilio.com" not in notice.body and "api.twilio.com" not in (notice.html or "")
    assert not any("voicemail" in line for line in queue_notices(app))  # once only
    assert len(_practice_messages(app, "voicemail")) == 1

    client = _signed_in(app, "accueil@cabinet-dupont.example.fr")
    page = client.get("/practice/cabinet-dupont/callbacks").get_data(as_text=True)
    assert "à rappeler" in page and "Message vocal (42 s)" in page and 'href="tel:+33698765432"' in page
    assert "api.twilio.com" not in page

    ticked = client.post("/practice/cabinet-dupont/callbacks",
                         data={"csrf_token": _token(page), "patient": "+33698765432", "action": "tick"})
    assert ticked.status_code == 303
    page = client.get("/practice/cabinet-dupont/callbacks").get_data(as_text=True)
    assert "Rappelé, coché par accueil@cabinet-dupont.example.fr" in page
    assert 'class="badge">à rappeler' not in page

    client.post("/practice/cabinet-dupont/callbacks",
                data={"csrf_token": _token(page), "patient": "+33698765432", "action": "undo"})
    page = client.get("/practice/cabinet-dupont/callbacks").get_data(as_text=True)
    assert 'class="badge">à rappeler' in page

    # A new message after the tick puts the patient back on the list.
    client.post("/practice/cabinet-dupont/callbacks",
                data={"csrf_token": _token(page), "patient": "+33698765432", "action": "tick"})
    clock.now = EVENING
    _voicemail(app, twilio_api, "CA" + "2" * 32, "+33698765432")
    page = client.get("/practice/cabinet-dupont/callbacks").get_data(as_text=True)
    assert 'class="badge">à rappeler' in page


def test_a_voicemail_plays_in_the_browser_through_releve_only(app_with_twilio, twilio_api, clock):
    app = app_with_twilio
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT)
    clock.now = LUNCH
    _voicemail(app, twilio_api, "CA" + "3" * 32, "+33698765432")
    client = _signed_in(app, "accueil@cabinet-dupont.example.fr")

    page = client.get("/practice/cabinet-dupont/contacts").get_data(as_text=True)
    audio = re.search(r'<audio controls preload="none" src="([^"]+)"', page).group(1)
    played = client.get(audio)

    assert audio == f"/practice/cabinet-dupont/voicemail/CA{'3' * 32}"
    assert played.status_code == 200 and played.mimetype == "audio/mpeg"
    assert played.get_data() == b"ID3\x04\x00CA" + b"3" * 32
    assert "no-store" in played.headers["Cache-Control"]
    assert ACCOUNT_SID not in page and "api.twilio.com" not in page and TOKEN not in page
    fetched = [r for r in twilio_api.requests if r.method == "GET"]
    assert fetched and all(r.authorized for r in fetched)

    twilio_api.recordings.clear()  # deleted at Twilio (the retention run, the console)
    assert client.get(audio).status_code == 404


def test_the_contact_log_filters_by_day_and_number_and_exports_csv(app_with_twilio, twilio_api, clock):
    app = app_with_twilio
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT)
    clock.now = LUNCH
    _voicemail(app, twilio_api, "CA" + "4" * 32, "+33698765432")
    clock.now = LUNCH + timedelta(days=1)
    _voicemail(app, twilio_api, "CA" + "5" * 32, "+33611223344")
    client = _signed_in(app, "accueil@cabinet-dupont.example.fr")

    day = client.get("/practice/cabinet-dupont/contacts?day=2026-12-02").get_data(as_text=True).replace(NBSP, " ")
    number = client.get("/practice/cabinet-dupont/contacts?number=06+11+22+33+44").get_data(as_text=True).replace(NBSP, " ")
    exported = client.get("/practice/cabinet-dupont/contacts.csv?day=2026-12-03")

    assert "+33 6 98 76 54 32" in day and "+33 6 11 22 33 44" not in day
    assert "+33 6 11 22 33 44" in number and "+33 6 98 76 54 32" not in number
    assert exported.mimetype == "text/csv" and "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["number"], r["outcome"], r["voicemail_seconds"], r["practice_was"]) for r in rows] == [
        ("+33611223344", "voicemail", "42", "closed")]
    assert rows[0]["time"] == "2026-12-03T12:45:00+01:00"


def test_the_morning_digest_tells_what_came_in_the_evening_and_an_empty_one_is_never_sent(
        app_with_twilio, twilio_api, clock):
    app = app_with_twilio
    # Thursday morning, nothing came since Wednesday's closing: no digest.
    clock.now = NEXT_OPENING + timedelta(minutes=5)
    assert not any("digest" in line for line in queue_notices(app))
    assert _practice_messages(app, "digest") == []

    clock.now = datetime(2026, 12, 3, 18, 30, tzinfo=UTC)  # Thursday 19:30: closed for the night
    _voicemail(app, twilio_api, "CA" + "6" * 32, "+33698765432")
    Twilio(app).twiml("/twilio/voice", incoming("CA" + "7" * 32, "+33611223344"))  # hangs up, no message
    Twilio(app).post("/twilio/voice/status", {**incoming("CA" + "7" * 32, "+33611223344"), "CallStatus": "completed"})
    app.extensions["releve.contact_log"].flush()
    clock.now = datetime(2026, 12, 4, 7, 29, tzinfo=UTC)  # Friday 8:29: not open yet
    queue_notices(app)
    assert _practice_messages(app, "digest") == []

    clock.now = datetime(2026, 12, 4, 7, 31, tzinfo=UTC)  # Friday 8:31
    queue_notices(app)
    queue_notices(app)

    [digest] = _practice_messages(app, "digest")
    assert digest.recipient == "secretariat@cabinet-dupont.example.fr"
    assert "2 patients, 2 à rappeler" in digest.subject
    assert "+33 6 98 76 54 32" in digest.body and "+33 6 11 22 33 44" in digest.body
    assert "/practice/cabinet-dupont/callbacks" in digest.body
    # The lunch break that day: no second digest.
    clock.now = datetime(2026, 12, 4, 13, 5, tzinfo=UTC)
    queue_notices(app)
    assert len(_practice_messages(app, "digest")) == 1


def test_a_voicemail_followed_by_a_call_an_office_took_is_not_to_call_back(app_with_twilio, twilio_api, clock):
    app = app_with_twilio
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT)
    clock.now = LUNCH
    _voicemail(app, twilio_api, "CA" + "8" * 32, "+33698765432")
    clock.now = LUNCH + timedelta(minutes=10)
    CallSimulator(app, TOKEN).call(DUPONT_NUMBER, "+33698765432", ["completed"])
    app.extensions["releve.contact_log"].flush()

    client = _signed_in(app, "accueil@cabinet-dupont.example.fr")
    page = client.get("/practice/cabinet-dupont/callbacks").get_data(as_text=True)

    assert "Pris par le cabinet du Dr Martin" in page and "Joint depuis" in page
    assert 'class="badge">à rappeler' not in page


def test_closing_now_sends_calls_to_the_office_on_every_process_then_reopening_brings_them_back(
        twilio_app_factory, twilio_api, clock, tmp_path):
    first, second = twilio_app_factory(), twilio_app_factory()  # two web processes, one database
    _user(first, "accueil@cabinet-dupont.example.fr", DUPONT)
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)   # Wednesday 10:00: open
    twilio = Twilio(second)
    assert twilio.twiml("/twilio/voice", incoming("CA" + "a" * 32)).find("Dial/Number").text == "+33145678910"

    client = _signed_in(first, "accueil@cabinet-dupont.example.fr")
    page = client.get("/practice/cabinet-dupont").get_data(as_text=True)
    assert 'value="2026-12-02T19:00"' in page  # by default, until the end of the day
    answer = client.post("/practice/cabinet-dupont/close-now", data={
        "csrf_token": _token(page), "until": "2026-12-02T16:00", "reason": "Urgence familiale",
        "chain": "permanence-sante"})
    assert answer.status_code == 303
    page = client.get("/practice/cabinet-dupont").get_data(as_text=True)
    assert "Fermé — Urgence familiale" in page and "Permanence Accueil Santé" in page

    clock.now += timedelta(seconds=3)  # the other process looks again within seconds
    with second.app_context():
        snapshots().expire()
    document = twilio.twiml("/twilio/voice", incoming("CA" + "b" * 32))
    assert document.find("Dial/Number").text == "+33970001234"
    greeting = document.find("Say").text or ""
    assert "fermé. Nous rouvrirons à 16 heures. La permanence Accueil Santé" in greeting, greeting

    # `call simulate` follows the switch too.
    result = first.test_cli_runner().invoke(args=["call", "simulate", "--practice", DUPONT,
                                                  "--at", "2026-12-02T11:00", "--outcomes", "completed"])
    assert "Permanence Accueil Santé (+33970001234): completed" in result.output, result.output

    bad = client.post("/practice/cabinet-dupont/close-now", data={"csrf_token": _token(page), "until": "2026-12-01T08:00"})
    assert bad.status_code == 400
    client.post("/practice/cabinet-dupont/reopen", data={"csrf_token": _token(page)})
    with second.app_context():
        snapshots().expire()
    assert twilio.twiml("/twilio/voice", incoming("CA" + "c" * 32)).find("Dial/Number").text == "+33145678910"


def test_a_closing_expires_by_itself(app_with_twilio, clock):
    app = app_with_twilio
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT)
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    client = _signed_in(app, "accueil@cabinet-dupont.example.fr")
    page = client.get("/practice/cabinet-dupont").get_data(as_text=True)
    client.post("/practice/cabinet-dupont/close-now", data={"csrf_token": _token(page), "until": "2026-12-02T10:30"})
    twilio = Twilio(app)
    document = twilio.twiml("/twilio/voice", incoming("CA" + "f" * 32))
    assert document.find("Dial/Number").text == "+33142001122"
    assert "est fermé. Nous rouvrirons à 10 heures 30. Le cabinet du docteur Martin" in document.find("Say").text

    clock.now = datetime(2026, 12, 2, 9, 31, tzinfo=UTC)  # 10:31 in Paris

    assert twilio.twiml("/twilio/voice", incoming("CA" + "9" * 32)).find("Dial/Number").text == "+33145678910"
    assert "Fermé à la main" not in client.get("/practice/cabinet-dupont").get_data(as_text=True)


@pytest.mark.parametrize("until", ["2027-01-30T10:00", "demain"])
def test_a_closing_too_long_or_unreadable_is_refused_with_the_reason(app_with_twilio, clock, until):
    _user(app_with_twilio, "accueil@cabinet-dupont.example.fr", DUPONT)
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    client = _signed_in(app_with_twilio, "accueil@cabinet-dupont.example.fr")
    page = client.get("/practice/cabinet-dupont").get_data(as_text=True)

    answer = client.post("/practice/cabinet-dupont/close-now", data={"csrf_token": _token(page), "until": until})

    assert answer.status_code == 400
    assert ("Au plus 14 jours" if until[0] == "2" else "Heure de fin illisible") in answer.get_data(as_text=True)


def test_the_administrator_adds_users_in_the_browser_and_sees_every_practice(app_with_twilio):
    from tests.browser import ADMIN_PASSWORD, ADMIN_USER

    app = app_with_twilio
    from werkzeug.security import generate_password_hash
    app.config.update(RELEVE_ADMIN_USER=ADMIN_USER, RELEVE_ADMIN_PASSWORD=generate_password_hash(ADMIN_PASSWORD))
    with app.app_context():
        snapshots().directory()
    admin = app.test_client()
    sign_in(admin)
    page = admin.get("/admin/users").get_data(as_text=True)

    added = admin.post("/admin/users", data={"csrf_token": _token(page), "email": "veto@clinique-plateau.example.ca",
                                             "name": "Dre Tremblay", "practice": PLATEAU, "password": PASSWORD})
    short = admin.post("/admin/users", data={"csrf_token": _token(page), "email": "x@clinique-plateau.example.ca",
                                             "practice": PLATEAU, "password": "court"})

    assert added.status_code == 303
    # The refusal is in the page's language: French by default, English for an English browser.
    assert short.status_code == 400 and "Le mot de passe est trop court" in short.get_data(as_text=True)
    english = admin.post("/admin/users", headers={"Accept-Language": "en-GB,en;q=0.8"},
                         data={"csrf_token": _token(page), "email": "x@clinique-plateau.example.ca",
                               "practice": PLATEAU, "password": "court"}).get_data(as_text=True)
    assert "The password is too short: at least 10 characters" in english and "Add a user" in english
    assert "veto@clinique-plateau.example.ca" in admin.get("/admin/users").get_data(as_text=True)
    for practice_id in (DUPONT, PLATEAU):
        assert admin.get(f"/practice/{practice_id}").status_code == 200
    user = _signed_in(app, "veto@clinique-plateau.example.ca")
    assert user.get("/practice/clinique-plateau").status_code == 200
    assert user.get("/admin/users").status_code == 302


def test_a_practices_whole_day(app_with_twilio, twilio_api, clock):
    """Wednesday 2 December at the Dupont dental practice, as the webhooks and the worker see it."""
    app = app_with_twilio
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT, name="Sophie")
    simulator = CallSimulator(app, TOKEN)

    def at(hour: int, minute: int = 0, day: int = 2) -> datetime:  # Paris time, UTC+1 in December
        return datetime(2026, 12, day, hour - 1, minute, tzinfo=UTC)

    clock.now = at(9, 10)       # open: the front desk takes the call
    taken = simulator.call(DUPONT_NUMBER, "+33611111111", ["completed"])
    clock.now = at(12, 45)      # the lunch break: the chain does not answer, a message is left
    _voicemail(app, twilio_api, "CA" + "b1" * 16, "+33622222222")
    clock.now = at(12, 46)
    queue_notices(app)
    clock.now = at(11, 0) + timedelta(hours=5)   # meanwhile in Montréal (11:00 there), the clinic's own caller
    _voicemail(app, twilio_api, "CA" + "e1" * 16, "+15145550199", PLATEAU_NUMBER, PLATEAU)

    clock.now = at(15)          # an emergency: the practice closes until 17:00, calls to the answering service
    client = _signed_in(app, "accueil@cabinet-dupont.example.fr")
    page = client.get("/practice/cabinet-dupont").get_data(as_text=True)
    client.post("/practice/cabinet-dupont/close-now", data={"csrf_token": _token(page), "until": "2026-12-02T17:00",
                                                           "reason": "Urgence", "chain": "permanence-sante"})
    clock.now = at(15, 5)
    covered = simulator.call(DUPONT_NUMBER, "+33633333333", ["completed"])
    simulated = app.test_cli_runner().invoke(args=["call", "simulate", "--practice", DUPONT, "--at",
                                                   "2026-12-02T15:10"])
    clock.now = at(19, 30)      # the evening: a message for tomorrow
    _voicemail(app, twilio_api, "CA" + "d1" * 16, "+33644444444")
    app.extensions["releve.contact_log"].flush()

    clock.now = at(8, 31, day=3)  # Thursday's opening: the morning digest
    queue_notices(app)

    assert taken.reached == "+33145678910" and covered.reached == "+33970001234"
    assert "fermé. Nous rouvrirons à 17 heures" in simulated.output
    assert "Twilio dials Permanence Accueil Santé (+33970001234): no-answer" in simulated.output, simulated.output
    [lunch_notice, evening_notice] = _practice_messages(app, "voicemail")
    assert "+33 6 22 22 22 22" in lunch_notice.subject and "+33 6 44 44 44 44" in evening_notice.subject
    [digest] = _practice_messages(app, "digest")
    assert "+33 6 44 44 44 44" in digest.body and "+33 6 22 22 22 22" not in digest.body  # since the closing only

    callbacks = client.get("/practice/cabinet-dupont/callbacks").get_data(as_text=True).replace(NBSP, " ")
    assert "+33 6 22 22 22 22" in callbacks and "+33 6 44 44 44 44" in callbacks
    assert "+33 6 11 11 11 11" not in callbacks and "+33 6 33 33 33 33" not in callbacks  # a person took them
    client.post("/practice/cabinet-dupont/callbacks", data={"csrf_token": _token(callbacks),
                                                           "patient": "+33622222222", "action": "tick"})
    callbacks = client.get("/practice/cabinet-dupont/callbacks").get_data(as_text=True).replace(NBSP, " ")
    assert callbacks.count('class="badge">à rappeler') == 1

    log = client.get("/practice/cabinet-dupont/contacts").get_data(as_text=True)
    assert "Pris par l&#39;accueil" in log
    assert "Pris par la permanence Accueil Santé" in log
    everything = [log, callbacks, client.get("/practice/cabinet-dupont").get_data(as_text=True),
                  client.get("/practice/cabinet-dupont/contacts.csv").get_data(as_text=True),
                  *(m.body for m in _practice_messages(app, "voicemail") + _practice_messages(app, "digest"))]
    assert not any("514" in text or "15145550199" in text for text in everything)


def test_the_practices_pages_say_the_database_is_down_rather_than_fail(app_with_twilio, monkeypatch):
    from coverage.store import StoreUnavailable

    _user(app_with_twilio, "accueil@cabinet-dupont.example.fr", DUPONT)
    client = _signed_in(app_with_twilio, "accueil@cabinet-dupont.example.fr")
    client.get("/practice/cabinet-dupont")  # the practice's snapshot is held by this process now

    def down(*_args, **_kwargs):
        raise StoreUnavailable("OperationalError: the database is locked")

    monkeypatch.setattr(app_with_twilio.extensions["releve.db"], "begin", down)
    for path in ("/practice/cabinet-dupont/callbacks", "/practice/cabinet-dupont/contacts"):
        answer = client.get(path)
        assert answer.status_code == 503, path
        assert "La base de données ne répond pas" in answer.get_data(as_text=True)


def test_a_text_during_a_closing_goes_to_the_closings_office_and_the_patient_is_told_when_it_ends(app_with_twilio,
                                                                                                 clock):
    from tests.routing.test_sms import _messages, text_in

    app = app_with_twilio
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT)
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)   # Wednesday 10:00: open
    client = _signed_in(app, "accueil@cabinet-dupont.example.fr")
    page = client.get("/practice/cabinet-dupont").get_data(as_text=True)
    client.post("/practice/cabinet-dupont/close-now", data={"csrf_token": _token(page), "until": "2026-12-02T16:00",
                                                           "chain": "permanence-sante"})

    answer = Twilio(app).post("/twilio/sms", text_in("J'ai très mal, pouvez-vous me rappeler ?"))

    assert answer.status_code == 200
    [forward] = _messages(app, "forward")
    assert forward.recipient == "equipe@permanence-sante.example.fr"
    [reply] = _messages(app, "auto_reply")
    assert "Réouverture à 16 h" in reply.body and "permanence Accueil Santé" in reply.body


def test_the_written_status_agrees_with_the_practices_name(app, clock):
    _user(app, "accueil@clinique-plateau.example.ca", PLATEAU)
    clinic = _signed_in(app, "accueil@clinique-plateau.example.ca")

    clock.now = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)   # 12:00 in Montréal, a Wednesday: open
    open_page = clinic.get(f"/practice/{PLATEAU}").get_data(as_text=True)
    clock.now = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)    # 23:00 in Montréal: closed
    closed_page = clinic.get(f"/practice/{PLATEAU}").get_data(as_text=True)

    assert '<p class="status open" id="status">Ouverte</p>' in open_page   # « la clinique »: ouverte
    assert '<p class="status closed" id="status">Fermée — ' in closed_page


def test_a_user_with_a_very_long_email_address_signs_in_with_a_password(app):
    long_address = "secretariat." + "a" * 280 + "@cabinet-dupont.example.fr"
    _user(app, long_address, DUPONT)

    client = _signed_in(app, long_address)

    assert client.get(f"/practice/{DUPONT}").status_code == 200
    wrong = sign_in(app.test_client(), long_address, "not the password at all")
    assert wrong.status_code == 401 and "Identifiant ou mot de passe incorrect" in wrong.get_data(as_text=True)
