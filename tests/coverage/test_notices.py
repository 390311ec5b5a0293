"""Notices, on time and once: briefings, start and end notices, updates, cancellations and the
follow-up list, as the scheduler's notice job queues them for a given `now`."""
from __future__ import annotations

import html
import re
import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from config import load_settings
from config.env import Smtp
from coverage.store import contacts, tables
from coverage.store.tables import messages, notices
from routing.worker import deliver_messages, queue_notices
from tests.conftest import EXAMPLE_CONFIG, Clock
from tests.reading import reading_of
from tests.routing.conftest import SENDER

# The example's year-end vacation: Sunday 27 December 2026 to Friday 8 January 2027 inclusive.
VACATION = "4k2m8v0q1c7r3t5n9b6x2z4d1f@google.com"
START = datetime(2026, 12, 26, 23, 0, tzinfo=UTC)        # Sunday 27 December, 0:00 in Paris
END = datetime(2027, 1, 8, 23, 0, tzinfo=UTC)            # Saturday 9 January, 0:00 in Paris
REOPENING_MORNING = datetime(2027, 1, 9, 6, 0, tzinfo=UTC)  # 7:00 in Paris; it reopens at 9:00
SPAN = "du dimanche 27 décembre 2026 au vendredi 8 janvier 2027"
MARTIN, PERMANENCE = "cabinet-martin", "permanence-sante"
MARTIN_EMAIL, MARTIN_SMS = "accueil@cabinet-martin.example.fr", "+33612345678"
PERMANENCE_EMAIL = "equipe@permanence-sante.example.fr"
PRACTICE_EMAIL = "secretariat@cabinet-dupont.example.fr"
DUPONT_NUMBER = "+33186951234"
MINUTE = timedelta(minutes=1)


# -- builders --------------------------------------------------------------------------------------

def example_copy(tmp_path: Path) -> Path:
    """config/example copied to tmp_path, for tests that edit the calendar or the configuration."""
    folder = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def remove_event(path: Path, uid: str) -> None:
    text = path.read_text(encoding="utf-8")
    event = r"BEGIN:VEVENT\n(?:(?!END:VEVENT).*\n)*?UID:" + re.escape(uid) + r"\n(?:.*\n)*?END:VEVENT\n"
    kept = re.sub(event, "", text)
    assert kept != text
    path.write_text(kept, encoding="utf-8")


def add_event(path: Path, event: str) -> None:
    edit(path, "END:VCALENDAR", event.strip() + "\nEND:VCALENDAR")


def make_app(folder: Path, data_dir: Path, clock: Clock, **config: Any) -> Flask:
    """An app on the configuration in `folder`, as a process started on it would be."""
    return create_app(load_settings(folder / "releve.yaml"), {
        "TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(data_dir),
        "RELEVE_BACKGROUND_REFRESH": False, **config})


def run_at(app: Flask, clock: Clock, when: datetime) -> list[str]:
    clock.now = when
    return queue_notices(app)


def reread_calendars(app: Flask, clock: Clock) -> None:
    reading_of(app).refresh(clock.now)


def notice_rows(app: Flask, key: str = VACATION, **where: str) -> list[Any]:
    query = select(notices).where(notices.c.period_key == key).order_by(notices.c.id)
    for column, value in where.items():
        query = query.where(notices.c[column] == value)
    with app.extensions["releve.db"].begin() as connection:
        return list(connection.execute(query))


def message_of(app: Flask, notice: Any) -> Any:
    with app.extensions["releve.db"].begin() as connection:
        return connection.execute(select(messages).where(messages.c.id == notice.message_id)).one()


def all_messages(app: Flask) -> list[Any]:
    with app.extensions["releve.db"].begin() as connection:
        return list(connection.execute(select(messages).order_by(messages.c.id)))


def text_of_html(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"</?a\b[^>]*>", "", markup)))).replace("\u00a0", " ")


def sent(app: Flask, key: str = VACATION) -> list[tuple[str, str, str]]:
    """(kind, slot, office) of each notice queued for the period, in order."""
    return [(n.kind, n.slot, n.office_id) for n in notice_rows(app, key, state="queued")]


def log_call(app: Flask, sid: str, caller: str, at: datetime, outcome: str, *, office_id: str | None = None,
             recording: str | None = None, practice_id: str = "cabinet-dupont", called: str = DUPONT_NUMBER) -> None:
    """A call in the contact log, as the voice webhooks leave it once it is over."""
    with app.extensions["releve.db"].begin() as connection:
        contacts.apply(connection, contacts.CallStart(sid, practice_id, caller, called, at, False,
                                                      "Congés de fin d'année", (MARTIN, PERMANENCE)))
        if recording:
            contacts.apply(connection, contacts.Voicemail(sid, practice_id, caller, called, recording, None, 37,
                                                          at + MINUTE))
        else:
            contacts.apply(connection, contacts.CallOutcome(sid, outcome, office_id, at + MINUTE))


def log_text(app: Flask, sid: str, sender: str, at: datetime, body: str, *, office_id: str | None = MARTIN,
             practice_id: str = "cabinet-dupont", called: str = DUPONT_NUMBER) -> None:
    """A text in the contact log, forwarded to a covering office as the messaging webhook does."""
    with app.extensions["releve.db"].begin() as connection:
        contacts.apply(connection, contacts.TextIn(sid, practice_id, sender, called, body, (), at))
        contacts.set_text_handling(connection, sid, was_open=False, handling="forwarded", office_id=office_id,
                                   forwarded_to=MARTIN_SMS)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return example_copy(tmp_path)


@pytest.fixture
def edited_app(folder: Path, tmp_path: Path, clock: Clock) -> Flask:
    """The example app, reading the copy of the example in `folder` (edit it, then reread_calendars)."""
    return make_app(folder, tmp_path / "data", clock)


# -- briefings -------------------------------------------------------------------------------------

def test_both_offices_of_the_chain_are_briefed_seven_days_ahead_and_not_before(app, clock):
    run_at(app, clock, START - timedelta(days=7) - MINUTE)
    assert notice_rows(app) == []

    lines = run_at(app, clock, START - timedelta(days=7))

    assert sent(app) == [("briefing", "7d", MARTIN), ("briefing", "7d", PERMANENCE)]
    assert f"cabinet-dupont: briefing 7d to {MARTIN} for {VACATION}" in lines
    emails = [message_of(app, n) for n in notice_rows(app)]
    assert [(m.kind, m.recipient, m.purpose, m.state) for m in emails] == [
        ("email", MARTIN_EMAIL, "briefing", "queued"), ("email", PERMANENCE_EMAIL, "briefing", "queued")]


def test_the_one_day_briefing_goes_one_day_ahead_and_not_before(app, clock):
    run_at(app, clock, START - timedelta(days=7))
    run_at(app, clock, START - timedelta(days=1) - MINUTE)
    assert [n.slot for n in notice_rows(app)] == ["7d", "7d"]

    run_at(app, clock, START - timedelta(days=1))

    assert sent(app) == [("briefing", "7d", MARTIN), ("briefing", "7d", PERMANENCE),
                         ("briefing", "1d", MARTIN), ("briefing", "1d", PERMANENCE)]
    assert len({n.message_id for n in notice_rows(app)}) == 4


def test_the_briefing_email_carries_the_whole_sheet_in_text_and_html(app, clock):
    run_at(app, clock, START - timedelta(days=7))
    email = message_of(app, notice_rows(app, office_id=PERMANENCE)[0])

    assert email.subject == f"Fiche de liaison\u00a0: vous couvrez le cabinet dentaire Dupont ({SPAN})"
    text, page = email.body, text_of_html(email.html)
    assert f"Dates\u00a0: {SPAN}" in text and f"Dates {SPAN}" in page
    assert "Réouverture\u00a0: samedi 9 janvier 2027 à 9 h" in text and "Réouverture samedi 9 janvier 2027 à 9 h" in page
    for body in (text, page):
        assert "Vous êtes appelé en position 2 sur 2" in body
        assert "En cas de problème grave, joindre" in body and "Dr Claire Dupont" in body
        assert "+33 7 56 12 34 56" in body
        assert "Ordonnances : renouvellement d'antalgiques uniquement, pas d'antibiotiques sans examen." in body
        # What the office hears before each call, and what callers hear.
        assert "Appel transféré du cabinet dentaire Dupont, qui rouvre le samedi 9 janvier à 9 heures." in body
        assert ("Le cabinet dentaire Dupont est fermé pour les fêtes de fin d'année. Nous rouvrirons le samedi 9 "
                "janvier à 9 heures. Le cabinet du docteur Martin assure la continuité des soins") in body
        assert "Pour cette fermeture : Congés de fin d'année." in re.sub(r"\s+", " ", body)  # the event's description
    assert "« Appel transféré du cabinet dentaire Dupont, qui rouvre le samedi 9 janvier à 9 heures. »" in text
    assert re.search(r"^Fiche de liaison\u00a0: http://127\.0\.0\.1:5000/briefing/[\w.-]+$", email.body, re.M)
    assert re.search(r"^Les contacts transférés pendant cette fermeture\u00a0: http://127\.0\.0\.1:5000/briefing/[\w.-]+"
                     r"/contacts$", email.body, re.M)
    assert re.search(r'<a href="http://127\.0\.0\.1:5000/briefing/[\w.-]+/contacts">', email.html)
    # Texts go to the first office answering at the time: the permanence is first at night, and
    # takes the calls outside opening hours.
    assert "Les SMS des patients, transférés à equipe@permanence-sante.example.fr." in email.body
    assert "Vous prenez les appels hors des heures d'ouverture du cabinet." in email.body


def test_the_first_office_is_told_where_the_texts_will_reach_it(app, clock):
    run_at(app, clock, START - timedelta(days=7))
    email = message_of(app, notice_rows(app, office_id=MARTIN)[0])

    assert "Vous êtes appelé en position 1 sur 2" in email.body
    assert "Les SMS des patients, transférés à +33 6 12 34 56 78." in email.body
    assert "Les SMS des patients, transférés à +33 6 12 34 56 78." in text_of_html(email.html)


def test_the_briefing_reaches_the_mail_server_with_a_plain_text_and_an_html_part(folder, tmp_path, clock, smtp_server):
    app = make_app(folder, tmp_path / "data", clock,
                   RELEVE_SMTP=Smtp(smtp_server.host, smtp_server.port, sender=SENDER, starttls=False))
    run_at(app, clock, START - timedelta(days=7))

    assert deliver_messages(app) >= 2

    # Python's email package folds the long subject before an encoded word and the unfolded
    # header keeps two spaces there ("27  décembre"); what the office reads is the words.
    mails = [m for m in smtp_server.received if SPAN in " ".join(m["Subject"].split())]
    assert sorted(m["To"] for m in mails) == [MARTIN_EMAIL, PERMANENCE_EMAIL]
    for mail in mails:
        assert mail.get_content_type() == "multipart/alternative"
        assert "du dimanche 27 décembre 2026" in mail.get_body(("plain",)).get_content()
        assert "Dr Claire Dupont" in mail.get_body(("html",)).get_content()
    app.extensions["releve.db"].dispose()


def test_a_practice_chooses_how_many_days_ahead_its_offices_are_briefed(folder, tmp_path, clock):
    edit(folder / "releve.yaml", "briefing_days: [7, 1]", "briefing_days: [3]")
    app = make_app(folder, tmp_path / "data", clock)

    run_at(app, clock, START - timedelta(days=7))
    run_at(app, clock, START - timedelta(days=3) - MINUTE)
    assert notice_rows(app) == []
    run_at(app, clock, START - timedelta(days=3))
    run_at(app, clock, START - timedelta(days=1))

    assert sent(app) == [("briefing", "3d", MARTIN), ("briefing", "3d", PERMANENCE)]


# -- once ------------------------------------------------------------------------------------------

def test_running_the_job_twice_queues_each_notice_once(app, clock):
    first = run_at(app, clock, START - timedelta(days=7))
    second = run_at(app, clock, START - timedelta(days=7))

    assert first and second == []
    assert len(notice_rows(app)) == 2
    assert len(all_messages(app)) == len(first)


def test_two_apps_on_the_same_data_folder_queue_each_notice_once(folder, tmp_path, clock):
    one, two = make_app(folder, tmp_path / "data", clock), make_app(folder, tmp_path / "data", clock)
    clock.now = START - timedelta(days=1)
    barrier = threading.Barrier(2)
    results: dict[str, list[str] | BaseException] = {}

    for app in (one, two):  # each reads the calendars first, as a process does when it starts
        reread_calendars(app, clock)

    def run(name: str, app: Flask) -> None:
        try:
            barrier.wait(timeout=10)
            results[name] = queue_notices(app)
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[name] = exc

    threads = [threading.Thread(target=run, args=args, daemon=True) for args in (("one", one), ("two", two))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(isinstance(r, BaseException) for r in results.values()), results
    run_at(one, clock, START - timedelta(days=1))
    run_at(two, clock, START - timedelta(days=1))

    assert sorted(results["one"] + results["two"]) == sorted(set(results["one"] + results["two"]))
    assert sent(one) == [("briefing", "1d", MARTIN), ("briefing", "1d", PERMANENCE)]
    queued = [n.message_id for n in notice_rows(one) if n.message_id is not None]
    assert [m.id for m in all_messages(one) if m.id in queued] == queued
    assert len(all_messages(one)) == len(set(results["one"] + results["two"]))
    # Links made by either app open on the other: the signing key is the data folder's.
    assert one.config["SECRET_KEY"] == two.config["SECRET_KEY"]


def test_after_a_long_outage_only_the_latest_briefing_goes_and_the_earlier_one_is_skipped(app, clock):
    run_at(app, clock, START - timedelta(hours=20))  # nothing ran for six days

    rows = notice_rows(app)
    assert [(n.kind, n.slot, n.office_id, n.state, n.message_id is None) for n in rows] == [
        ("briefing", "7d", MARTIN, "skipped", True), ("briefing", "1d", MARTIN, "queued", False),
        ("briefing", "7d", PERMANENCE, "skipped", True), ("briefing", "1d", PERMANENCE, "queued", False),
    ]
    assert [m.purpose for m in all_messages(app) if m.id in {n.message_id for n in rows}] == ["briefing"] * 2
    run_at(app, clock, START - timedelta(hours=19))
    assert len(notice_rows(app)) == 4  # the skipped one is never sent late


# -- start and end ---------------------------------------------------------------------------------

def test_the_start_notice_goes_when_coverage_starts_by_sms_or_else_by_email(app, clock):
    run_at(app, clock, START - timedelta(days=1))
    run_at(app, clock, START - MINUTE)
    assert sent(app, VACATION)[-1][0] == "briefing"

    run_at(app, clock, START)

    martin, permanence = (message_of(app, n) for n in notice_rows(app, kind="start"))
    assert (martin.kind, martin.recipient, martin.sender) == ("sms", MARTIN_SMS, DUPONT_NUMBER)
    assert martin.body.startswith(f"Relève : à partir de maintenant vous couvrez le cabinet dentaire Dupont, {SPAN}. "
                                  "Réouverture : samedi 9 janvier 2027 à 9 h. Fiche : http://127.0.0.1:5000/briefing/")
    assert (permanence.kind, permanence.recipient) == ("email", PERMANENCE_EMAIL)
    assert permanence.subject == "Début de couverture\u00a0: le cabinet dentaire Dupont"
    assert "à partir de maintenant vous couvrez le cabinet dentaire Dupont" in permanence.body


def test_the_end_notice_goes_when_coverage_ends_with_the_link_to_the_contacts(app, clock):
    run_at(app, clock, START)
    run_at(app, clock, END - MINUTE)
    assert notice_rows(app, kind="end") == []

    run_at(app, clock, END)

    martin, permanence = (message_of(app, n) for n in notice_rows(app, kind="end"))
    assert martin.kind == "sms"
    assert re.fullmatch(r"Relève : fin de la couverture du cabinet dentaire Dupont\. Merci ! Contacts transmis : "
                        r"http://127\.0\.0\.1:5000/briefing/[\w.-]+/contacts", martin.body)
    assert (permanence.kind, permanence.subject) == ("email", "Fin de couverture\u00a0: le cabinet dentaire Dupont")
    assert "fin de la couverture du cabinet dentaire Dupont" in permanence.body
    assert "Vous assurez la continuité" not in permanence.body  # it ended: this is not a briefing again


def test_start_and_end_notices_are_not_sent_once_no_longer_useful(app, clock):
    # Down from before the first briefing until more than a day after the closure ended: the
    # offices get nothing late about it; the practice still gets its follow-up list.
    run_at(app, clock, START - timedelta(days=8))

    run_at(app, clock, END + timedelta(days=1) + MINUTE)

    assert [(n.kind, n.office_id) for n in notice_rows(app)] == [("follow_up", "")]


def test_a_start_notice_missed_while_down_goes_during_the_closure_and_the_end_notice_the_day_it_ended(app, clock):
    run_at(app, clock, START + timedelta(days=2))
    assert [n.kind for n in notice_rows(app, state="queued")] == ["briefing", "start", "briefing", "start"]

    run_at(app, clock, END + timedelta(hours=23))
    assert [n.kind for n in notice_rows(app, kind="end")] == ["end", "end"]


# -- the calendar changes --------------------------------------------------------------------------

def test_an_extended_vacation_gives_one_update_email_with_the_new_dates(folder, edited_app, clock):
    app = edited_app
    run_at(app, clock, START - timedelta(days=7))
    edit(folder / "cabinet-dupont.ics", "DTEND;VALUE=DATE:20270109", "DTEND;VALUE=DATE:20270116")
    clock.now += timedelta(hours=3)
    reread_calendars(app, clock)

    run_at(app, clock, clock.now)
    run_at(app, clock, clock.now + timedelta(hours=1))

    updates = notice_rows(app, kind="update")
    assert [n.office_id for n in updates] == [MARTIN, PERMANENCE]
    new_span = "du dimanche 27 décembre 2026 au vendredi 15 janvier 2027"
    for notice in updates:
        email = message_of(app, notice)
        assert email.kind == "email"
        assert email.subject == f"Modification\u00a0: couverture du cabinet dentaire Dupont ({new_span})"
        assert "Les dates ont changé depuis la fiche précédente." in email.body
        assert f"Dates\u00a0: {new_span}" in email.body
        assert "Réouverture\u00a0: samedi 16 janvier 2027 à 9 h" in email.body
        assert new_span in text_of_html(email.html)
    # The one-day briefing then goes as usual, with the new dates.
    run_at(app, clock, START - timedelta(days=1))
    one_day = notice_rows(app, kind="briefing", slot="1d")
    assert len(one_day) == 2 and all(new_span in message_of(app, n).body for n in one_day)


@pytest.mark.parametrize(("old", "new", "new_span"), [
    ("DTEND;VALUE=DATE:20270109", "DTEND;VALUE=DATE:20270105", "du dimanche 27 décembre 2026 au lundi 4 janvier 2027"),
    ("DTSTART;VALUE=DATE:20261227\nDTEND;VALUE=DATE:20270109", "DTSTART;VALUE=DATE:20270117\nDTEND;VALUE=DATE:20270130",
     "du dimanche 17 janvier 2027 au vendredi 29 janvier 2027"),
], ids=["shortened", "postponed"])
def test_a_shortened_or_postponed_vacation_gives_an_update_not_a_cancellation(folder, edited_app, clock, old, new,
                                                                             new_span):
    app = edited_app
    run_at(app, clock, START - timedelta(days=7))
    edit(folder / "cabinet-dupont.ics", old, new)
    clock.now += timedelta(days=1)
    reread_calendars(app, clock)

    run_at(app, clock, clock.now)

    assert notice_rows(app, kind="cancellation") == []
    assert [n.office_id for n in notice_rows(app, kind="update")] == [MARTIN, PERMANENCE]
    assert all(new_span in message_of(app, n).subject for n in notice_rows(app, kind="update"))


def test_a_deleted_vacation_gives_a_cancellation_to_each_office_told(folder, edited_app, clock):
    app = edited_app
    run_at(app, clock, START - timedelta(days=7))
    remove_event(folder / "cabinet-dupont.ics", VACATION)
    clock.now += timedelta(days=2)
    reread_calendars(app, clock)

    run_at(app, clock, clock.now)
    run_at(app, clock, clock.now + timedelta(hours=1))

    cancellations = {n.office_id: n for n in notice_rows(app, kind="cancellation")}
    assert sorted(cancellations) == [MARTIN, PERMANENCE]
    martin, permanence = cancellations[MARTIN], cancellations[PERMANENCE]
    sms, email = message_of(app, martin), message_of(app, permanence)
    assert (sms.kind, sms.recipient) == ("sms", MARTIN_SMS)
    assert sms.body == (f"Relève : la fermeture du cabinet dentaire Dupont ({SPAN}) est annulée ou ne passe plus "
                        "par vous. Vous ne recevrez pas ses appels.")
    assert (email.kind, email.recipient) == ("email", PERMANENCE_EMAIL)
    assert email.subject == f"Annulation\u00a0: vous ne couvrez plus le cabinet dentaire Dupont ({SPAN})"
    assert SPAN in email.body
    # Nothing more about it: no one-day briefing, no start notice.
    run_at(app, clock, START + timedelta(hours=1))
    assert sorted(n.kind for n in notice_rows(app)) == ["briefing", "briefing", "cancellation", "cancellation"]


def test_an_office_dropped_from_the_chain_is_told_it_no_longer_covers(folder, edited_app, clock):
    app = edited_app
    run_at(app, clock, START - timedelta(days=7))
    # The permanence still answers at night (the after-hours chain): Martin is the one dropped.
    edit(folder / "cabinet-dupont.ics", "Relève : Cabinet du Dr Martin, Permanence Accueil Santé",
         "Relève : Permanence Accueil Santé")
    reread_calendars(app, clock)

    run_at(app, clock, clock.now + MINUTE)

    assert sorted((n.kind, n.office_id) for n in notice_rows(app)[2:]) == [("cancellation", MARTIN),
                                                                           ("update", PERMANENCE)]


def test_no_cancellation_when_the_calendar_merely_failed_to_load(folder, edited_app, clock, tmp_path):
    app = edited_app
    run_at(app, clock, START - timedelta(days=7))
    calendar = folder / "cabinet-dupont.ics"
    calendar.write_text("<html><body>Session expirée</body></html>", encoding="utf-8")
    reread_calendars(app, clock)

    run_at(app, clock, clock.now + timedelta(hours=1))  # the last good copy is still in use
    assert [n.kind for n in notice_rows(app)] == ["briefing", "briefing"]

    # A restart with no copy at all: the calendar was never read, which is not a cancellation.
    shutil.rmtree(tmp_path / "data" / "calendars")
    restarted = make_app(folder, tmp_path / "data", clock)
    run_at(restarted, clock, clock.now + timedelta(hours=2))

    assert [n.kind for n in notice_rows(restarted)] == ["briefing", "briefing"]


def test_a_note_for_this_closure_in_the_event_description_is_in_the_briefing(folder, edited_app, clock):
    app = edited_app
    edit(folder / "cabinet-dupont.ics", "DESCRIPTION:Congés de fin d'année.<br>",
         "DESCRIPTION:Congés de fin d'année.<br>Les patients opérés le 22 décembre ont le numéro du Dr Dupont"
         " : ne pas les réorienter.<br>")

    run_at(app, clock, START - timedelta(days=7))

    email = message_of(app, notice_rows(app)[0])
    assert ("Pour cette fermeture :\nCongés de fin d'année.\nLes patients opérés le 22 décembre ont le numéro du Dr "
            "Dupont : ne pas les réorienter.") in email.body
    assert "ne pas les réorienter" in text_of_html(email.html)
    assert "Relève : Cabinet du Dr Martin" not in email.body  # the routing line is for Relève, not the office


def test_an_office_with_neither_email_nor_sms_gets_no_message_but_the_notice_is_recorded(folder, tmp_path, clock):
    edit(folder / "releve.yaml", "    email: equipe@permanence-sante.example.fr\n", "")
    app = make_app(folder, tmp_path / "data", clock)

    run_at(app, clock, START - timedelta(days=7))
    run_at(app, clock, START - timedelta(days=7) + MINUTE)

    [notice] = notice_rows(app, office_id=PERMANENCE)
    assert (notice.kind, notice.state, notice.message_id) == ("briefing", "no_channel", None)
    assert [m.recipient for m in all_messages(app) if SPAN in (m.subject or "")] == [MARTIN_EMAIL]


# -- the follow-up list ----------------------------------------------------------------------------

PATIENT, VOICEMAIL_PATIENT, TAKEN_PATIENT = "+33698765432", "+33611223344", "+33655667788"
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0123456789abcdef"


def log_the_closures_contacts(app: Flask) -> None:
    day = START + timedelta(days=1, hours=9)  # Monday 28 December, 9:00 in Paris
    log_call(app, "CA01", PATIENT, day, tables.OFFICE, office_id=MARTIN)
    log_text(app, "SM01", PATIENT, day + timedelta(days=1), "Je rappelle pour ma couronne, merci")
    log_call(app, "CA02", VOICEMAIL_PATIENT, day + timedelta(days=2), tables.VOICEMAIL, recording=RECORDING)
    log_call(app, "CA03", TAKEN_PATIENT, day + timedelta(days=3), tables.OFFICE, office_id=PERMANENCE)
    log_call(app, "CA04", "anonymous", day + timedelta(days=4), tables.HUNG_UP)
    # Not this closure's: before it, and another practice.
    log_call(app, "CA05", "+33600000001", START - timedelta(days=2), tables.HUNG_UP)
    log_call(app, "CA06", "+15145550199", day, tables.HUNG_UP, practice_id="clinique-plateau", called="+14384012290")


def test_the_follow_up_list_goes_to_the_practice_at_seven_the_morning_it_reopens(app, clock):
    run_at(app, clock, START)
    log_the_closures_contacts(app)
    run_at(app, clock, REOPENING_MORNING - MINUTE)
    assert notice_rows(app, kind="follow_up") == []

    lines = run_at(app, clock, REOPENING_MORNING)

    [notice] = notice_rows(app, kind="follow_up")
    assert f"cabinet-dupont: follow-up list for {VACATION} (2 to call back)" in lines
    email = message_of(app, notice)
    assert (notice.office_id, email.kind, email.recipient) == ("", "email", PRACTICE_EMAIL)
    assert email.subject == "Cabinet dentaire Dupont\u00a0: 4 patients pendant la fermeture, 2 à rappeler"
    text = email.body
    assert "4 patients, 4 appels, 1 SMS\u00a0; 2 à rappeler." in text
    # Grouped per patient: one heading per number, those to call back first.
    headings = re.findall(r"^(\S.*)$", text.split("2 à rappeler.", 1)[1], re.M)
    assert headings[:4] == ["+33 6 98 76 54 32 — À RAPPELER", "+33 6 11 22 33 44 — À RAPPELER",
                            "+33 6 55 66 77 88", "Numéro masqué\u00a0: impossible de rappeler"]
    assert "Pris par le cabinet du Dr Martin" in text and "Je rappelle pour ma couronne, merci" in text
    # Voicemails are played through Relève, signed in: never Twilio's address, which needs its credentials.
    assert "Message vocal http://127.0.0.1:5000/practice/cabinet-dupont/voicemail/CA02" in text
    assert RECORDING not in text and RECORDING not in email.html
    assert "Pris par la permanence Accueil Santé" in text
    assert "+33 6 00 00 00 01" not in text and "+1 514" not in text
    assert re.search(r"^Liste de rappel\u00a0: http://127\.0\.0\.1:5000/follow-up/[\w.-]+$", text, re.M)
    page = text_of_html(email.html)
    assert "SMS transmis au cabinet du Dr Martin : Je rappelle pour ma couronne, merci" in page
    assert '<a href="http://127.0.0.1:5000/practice/cabinet-dupont/voicemail/CA02">écouter</a>' in email.html
    assert "Message vocal (37 s) : écouter" in page


def test_no_follow_up_list_is_sent_when_nobody_called_or_wrote(app, clock):
    lines = run_at(app, clock, REOPENING_MORNING)

    assert f"cabinet-dupont: no follow-up list for {VACATION}, nobody called or wrote" in lines
    with app.extensions["releve.db"].begin() as connection:
        assert connection.execute(select(messages).where(messages.c.purpose == "follow_up")).all() == []
    run_at(app, clock, REOPENING_MORNING + timedelta(hours=1))
    with app.extensions["releve.db"].begin() as connection:
        assert connection.execute(select(messages).where(messages.c.purpose == "follow_up")).all() == []


def test_the_follow_up_list_is_sent_once_and_not_after_a_week(app, clock):
    log_the_closures_contacts(app)
    run_at(app, clock, REOPENING_MORNING)
    run_at(app, clock, REOPENING_MORNING + timedelta(hours=1))
    assert len(notice_rows(app, kind="follow_up")) == 1

    late = make_app(EXAMPLE_CONFIG.parent, Path(app.config["RELEVE_DATA_DIR"]).parent / "down-for-a-week", clock)
    log_the_closures_contacts(late)
    run_at(late, clock, REOPENING_MORNING + timedelta(days=7) - MINUTE)
    assert len(notice_rows(late, kind="follow_up")) == 1  # still useful a minute before the week is over
    late = make_app(EXAMPLE_CONFIG.parent, Path(app.config["RELEVE_DATA_DIR"]).parent / "down-longer", clock)
    log_the_closures_contacts(late)
    run_at(late, clock, REOPENING_MORNING + timedelta(days=7))
    assert notice_rows(late, kind="follow_up") == []


# -- daylight saving time --------------------------------------------------------------------------

SPRING = """
BEGIN:VEVENT
DTSTART;VALUE=DATE:20270326
DTEND;VALUE=DATE:20270330
DTSTAMP:20261120T100000Z
UID:spring-2027@cabinet-dupont.example.fr
SUMMARY:Congés de printemps
DESCRIPTION:Relève : Cabinet du Dr Martin
END:VEVENT
"""


def test_notices_keep_to_local_time_across_the_change_to_summer_time(folder, edited_app, clock):
    # Friday 26 to Monday 29 March 2027 (Easter Monday, a holiday inside it); clocks go forward on
    # Sunday 28: it starts at 0:00 CET (23:00 UTC) and ends at 0:00 CEST (22:00 UTC).
    app = edited_app
    add_event(folder / "cabinet-dupont.ics", SPRING)
    key = "spring-2027@cabinet-dupont.example.fr"
    start, end = datetime(2027, 3, 25, 23, 0, tzinfo=UTC), datetime(2027, 3, 29, 22, 0, tzinfo=UTC)
    clock.now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    reread_calendars(app, clock)

    for when in (start - timedelta(days=7), start - timedelta(days=1) - MINUTE, start - timedelta(days=1),
                 start - MINUTE, start, end - MINUTE, end, datetime(2027, 3, 30, 4, 59, tzinfo=UTC),
                 datetime(2027, 3, 30, 5, 0, tzinfo=UTC)):
        run_at(app, clock, when)

    times = [(n.kind, n.slot, n.created_at) for n in notice_rows(app, key, state="queued", office_id=MARTIN)]
    assert times == [("briefing", "7d", start - timedelta(days=7)), ("briefing", "1d", start - timedelta(days=1)),
                     ("start", "", start), ("end", "", end),
                     ]
    follow_up = notice_rows(app, key, kind="follow_up")
    assert [n.created_at for n in follow_up] == [datetime(2027, 3, 30, 5, 0, tzinfo=UTC)]  # 7:00 CEST; opens 8:30
    briefing = message_of(app, notice_rows(app, key, kind="briefing", slot="1d", office_id=MARTIN)[0])
    assert "Dates\u00a0: du vendredi 26 mars 2027 au lundi 29 mars 2027" in briefing.body
    assert "Réouverture\u00a0: mardi 30 mars 2027 à 8 h 30" in briefing.body
    assert notice_rows(app, "20270329_fr_lundi@google.com") == []  # Easter Monday is part of the closure


def test_a_briefing_days_ahead_counts_days_on_the_practices_wall_clock_across_the_change(app, clock):
    # Easter Monday, 29 March 2027, starts at 0:00 CEST; seven days before is Monday 22 March at
    # 0:00 CET, 23:00 UTC: a week less an hour, not 7 × 24 hours (which would be 23:00 in Paris).
    easter_monday = "20270329_fr_lundi@google.com"

    run_at(app, clock, datetime(2027, 3, 21, 22, 59, tzinfo=UTC))
    assert notice_rows(app, easter_monday) == []
    run_at(app, clock, datetime(2027, 3, 21, 23, 0, tzinfo=UTC))

    assert sent(app, easter_monday) == [("briefing", "7d", MARTIN), ("briefing", "7d", PERMANENCE)]
    assert "Dates\u00a0: lundi 29 mars 2027" in message_of(app, notice_rows(app, easter_monday)[0]).body


def test_a_text_to_an_office_due_at_night_waits_for_the_morning_and_an_email_does_not(app, clock):
    run_at(app, clock, START)  # Sunday 27 December, 0:00 in Paris: coverage starts

    start_sms = message_of(app, notice_rows(app, kind="start", office_id=MARTIN)[0])
    start_email = message_of(app, notice_rows(app, kind="start", office_id=PERMANENCE)[0])

    assert start_sms.kind == "sms" and start_sms.next_attempt_at == datetime(2026, 12, 27, 7, 0, tzinfo=UTC)  # 8:00
    assert start_email.kind == "email" and start_email.next_attempt_at == START
    clock.now = START + timedelta(hours=7) - MINUTE
    deliver_messages(app)
    assert message_of(app, notice_rows(app, kind="start", office_id=MARTIN)[0]).state == "queued"
    clock.now = START + timedelta(hours=8)
    deliver_messages(app)
    assert message_of(app, notice_rows(app, kind="start", office_id=MARTIN)[0]).state == "outbox"
