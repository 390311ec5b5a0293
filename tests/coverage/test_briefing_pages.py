"""The pages behind the signed links, opened in headless Chromium as an office or a practice would:
the briefing sheet, the contacts forwarded to an office, the practice's follow-up list."""
from __future__ import annotations

import html
import re
import struct
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask

from coverage.links import BRIEFING_GRACE, FOLLOW_UP_GRACE
from coverage.store import tables
from tests.browser import dump_dom, keep_screenshot, printed_pages, serving
from tests.coverage.test_notices import (
    END,
    MARTIN,
    PERMANENCE,
    REOPENING_MORNING,
    SPAN,
    START,
    TAKEN_PATIENT,
    VACATION,
    VOICEMAIL_PATIENT,
    example_copy,
    log_call,
    log_text,
    log_the_closures_contacts,
    make_app,
    message_of,
    notice_rows,
    reread_calendars,
    run_at,
)

pytestmark = pytest.mark.browser


def form_of(page: str, patient: str | None = None) -> dict[str, str]:
    """The hidden fields of the page's "called back" form (of `patient`'s form, when given)."""
    forms = re.findall(r"<form[^>]*>(.*?)</form>", page, re.S)
    for form in forms:
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        if patient is None or fields.get("patient") == patient:
            return {name: html.unescape(value) for name, value in fields.items()}
    raise AssertionError(f"no form for {patient} in the page")


def page_text(dom: str) -> str:
    """The page's words as a person reads them (no-break spaces read as spaces)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"</?a\b[^>]*>", "", dom)))).replace("\u00a0", " ")


def link_in(markup: str, kind: str) -> str:
    """The first link to a `kind` page ("briefing", "follow-up") in an email's HTML part."""
    found = re.search(rf'<a href="(http://[^"]+/{kind}/[\w.-]+)">', markup)
    assert found, f"no {kind} link in the email"
    return found.group(1)


def briefing_link(app: Flask, office_id: str) -> str:
    notice = notice_rows(app, kind="briefing", office_id=office_id)[0]
    return link_in(message_of(app, notice).html, "briefing")


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


@pytest.fixture
def base(app: Flask) -> Iterator[str]:
    """The app served on loopback; the links in notices point at it."""
    with serving(app) as url:
        app.config["RELEVE_BASE_URL"] = url
        yield url


def test_the_briefing_link_of_the_email_opens_the_print_ready_sheet(app, clock, base, tmp_path):
    run_at(app, clock, START - timedelta(days=7))
    link = briefing_link(app, MARTIN)
    assert link.startswith(base + "/briefing/")

    dom = dump_dom(link)
    picture = keep_screenshot(link, "briefing", tmp_path)

    text = page_text(dom)
    assert "Fiche de liaison · Cabinet du Dr Martin" in text
    assert f"Dates {SPAN}" in text
    assert "Réouverture samedi 9 janvier 2027 à 9 h" in text
    assert "Vous êtes appelé en position 1 sur 2" in text
    assert "En cas de problème grave, joindre Dr Claire Dupont : +33 7 56 12 34 56" in text
    assert ("Horaires d'ouverture du lundi au vendredi : 8 h 30 – 19 h samedi : 9 h – 12 h "
            "dimanche : fermé") in text
    assert "Urgences (douleur, traumatisme, infection) : recevoir le jour même si possible." in text
    assert "Appel transféré du cabinet dentaire Dupont, qui rouvre le samedi 9 janvier à 9 heures." in text
    assert "Les SMS des patients, transférés à +33 6 12 34 56 78." in text
    assert "Pour cette fermeture : Congés de fin d'année." in text
    # French typography: « 8 h 30 » and « soins : » never wrap mid-token, in the greeting quoted too.
    assert "8&nbsp;h&nbsp;30 – 19&nbsp;h" in dom and "continuité des soins&nbsp;: nous" in dom
    # Printed on A4, without the links and buttons that mean nothing on paper.
    assert re.search(r"@page\s*\{\s*size:\s*A4", dom)
    assert re.search(r"@media print\s*\{[^@]*\.actions\s*\{\s*display:\s*none", dom)
    assert picture.stat().st_size > 10_000


def test_the_night_offices_sheet_quotes_what_callers_hear_at_night_and_a_sheet_prints_on_one_a4_page(
        app, clock, base, tmp_path):
    run_at(app, clock, START - timedelta(days=7))
    day, night = briefing_link(app, MARTIN), briefing_link(app, PERMANENCE)

    day_text, night_text = page_text(dump_dom(day)), page_text(dump_dom(night))

    # The permanence answers by day after the Dr Martin, and alone at night: its sheet quotes both.
    assert "Le cabinet du docteur Martin assure la continuité des soins" in day_text
    assert "la nuit, le soir et le week-end" not in day_text
    assert ("Ce qu'entendent les personnes qui appellent la nuit, le soir et le week-end Bonjour. Le cabinet "
            "dentaire Dupont est fermé pour les fêtes de fin d'année. Nous rouvrirons le samedi 9 janvier à 9 heures. "
            "La permanence Accueil Santé assure la continuité des soins") in night_text
    for link, name in ((day, "day"), (night, "night")):
        assert printed_pages(link, tmp_path / f"{name}.pdf") == 1, name


def test_the_briefing_sheet_fits_a_phone_screen(app, clock, base, tmp_path):
    run_at(app, clock, START - timedelta(days=7))
    link = briefing_link(app, PERMANENCE)

    picture = keep_screenshot(link, "briefing-phone", tmp_path, width=390, height=844)

    assert png_size(picture) == (390, 844)
    assert picture.stat().st_size > 10_000
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in dump_dom(link)


def test_the_contacts_page_lists_only_this_offices_contacts_for_this_practice_and_this_closure(app, clock, base):
    run_at(app, clock, START - timedelta(days=7))
    during = START + timedelta(days=2, hours=10)  # Tuesday 29 December, 10:00 in Paris
    log_call(app, "CA11", "+33611111111", during, tables.OFFICE, office_id=MARTIN)
    log_text(app, "SM11", "+33622222222", during + timedelta(hours=1), "Ma dent a cassé, que faire ?")
    log_call(app, "CA12", "+33633333333", during, tables.OFFICE, office_id=PERMANENCE)
    log_call(app, "CA13", "+33644444444", during, tables.VOICEMAIL, recording="https://example.org/RE13")
    log_call(app, "CA14", "+33655555555", START - timedelta(days=2), tables.OFFICE, office_id=MARTIN)  # Christmas
    log_call(app, "CA15", "+15145550123", during, tables.OFFICE, office_id=MARTIN, practice_id="clinique-plateau",
             called="+14384012290")
    clock.now = END + timedelta(days=1)  # an office may look a little after

    martin = page_text(dump_dom(briefing_link(app, MARTIN) + "/contacts"))
    permanence = page_text(dump_dom(briefing_link(app, PERMANENCE) + "/contacts"))

    assert "Contacts transférés · Cabinet du Dr Martin" in martin
    assert "+33 6 11 11 11 11 — Appel, mardi 29 décembre 2026 à 10 h — Pris par le cabinet du Dr Martin" in martin
    assert ("+33 6 22 22 22 22 — SMS, mardi 29 décembre 2026 à 11 h — SMS transmis au cabinet du Dr Martin : Ma dent a cassé, que faire ?"
            in martin)
    for elsewhere in ("+33 6 33 33 33 33", "+33 6 55 55 55 55", "+1 514", "RE13"):
        assert elsewhere not in martin
    assert "+33 6 33 33 33 33" in permanence
    for elsewhere in ("+33 6 11 11 11 11", "+33 6 22 22 22 22", "RE13"):
        assert elsewhere not in permanence
    # The voicemail left once both had been tried is on both pages (its recording's address on none).
    for page in (martin, permanence):
        assert "+33 6 44 44 44 44 — Appel, mardi 29 décembre 2026 à 10 h — Message vocal (37 s)" in page


def test_a_tampered_or_expired_link_is_not_found(app, clock, client):
    run_at(app, clock, START - timedelta(days=7))
    path = urlsplit(briefing_link(app, MARTIN)).path
    # A middle character: the last one of a base64 signature may only carry padding bits.
    middle = len(path) - 8
    tampered = path[:middle] + ("A" if path[middle] != "A" else "B") + path[middle + 1:]

    assert client.get(path).status_code == 200
    assert client.get(tampered).status_code == 404
    assert client.get(tampered + "/contacts").status_code == 404
    assert client.get(path.replace("/briefing/", "/follow-up/")).status_code == 404  # a briefing is not a follow-up
    clock.now = END + BRIEFING_GRACE - timedelta(minutes=1)
    assert client.get(path + "/contacts").status_code == 200
    clock.now = END + BRIEFING_GRACE + timedelta(seconds=1)
    assert client.get(path).status_code == 404
    assert client.get(path + "/contacts").status_code == 404


def test_the_link_of_a_cancelled_closure_says_it_was_cancelled(tmp_path, clock):
    folder = example_copy(tmp_path)
    app = make_app(folder, tmp_path / "data", clock)
    run_at(app, clock, START - timedelta(days=7))
    text = (folder / "cabinet-dupont.ics").read_text(encoding="utf-8")
    (folder / "cabinet-dupont.ics").write_text(re.sub(
        r"BEGIN:VEVENT\n(?:(?!END:VEVENT).*\n)*?UID:" + re.escape(VACATION) + r"\n(?:.*\n)*?END:VEVENT\n", "", text),
        encoding="utf-8")
    reread_calendars(app, clock)

    with serving(app) as url:
        link = url + urlsplit(briefing_link(app, MARTIN)).path
        answer = app.test_client().get(urlsplit(link).path)
        text = page_text(dump_dom(link))

    assert answer.status_code == 410
    assert "Cette fermeture a été annulée ou ne passe plus par vous." in text


def test_the_follow_up_page_lists_who_to_call_back_and_a_patient_can_be_ticked_off(app, clock, base, client, tmp_path):
    log_the_closures_contacts(app)
    run_at(app, clock, REOPENING_MORNING)
    [notice] = notice_rows(app, kind="follow_up")
    link = link_in(message_of(app, notice).html, "follow-up")
    clock.now = REOPENING_MORNING + timedelta(hours=3)

    before = page_text(dump_dom(link))

    assert "Liste de rappel · du dimanche 27 décembre 2026 au vendredi 8 janvier 2027" in before
    assert "4 patients, 4 appels, 1 SMS ; 2 à rappeler." in before
    assert before.count("Marquer comme rappelé") == 2
    assert ("+33 6 11 22 33 44 à rappeler Appel, mercredi 30 décembre 2026 à 9 h — Message vocal (37 s) : écouter"
            in before)
    assert "Pris par le cabinet du Dr Martin" in before and "Pris par la permanence Accueil Santé" in before
    assert "SMS transmis au cabinet du Dr Martin : Je rappelle pour ma couronne, merci" in before
    assert "Numéro masqué : impossible de rappeler" in before
    assert "+1 514" not in before and "+33 6 00 00 00 01" not in before

    # Clicking the button posts this form; the page then shows the patient as called back.
    answer = client.post(urlsplit(link).path + "/done", data=form_of(dom_before := dump_dom(link), VOICEMAIL_PATIENT))
    assert answer.status_code == 303 and answer.headers["Location"].endswith(urlsplit(link).path)
    assert dom_before
    dom = dump_dom(link)
    picture = keep_screenshot(link, "follow-up", tmp_path)

    after = page_text(dom)
    assert "4 patients, 4 appels, 1 SMS ; 1 à rappeler." in after
    assert after.count("Marquer comme rappelé") == 1
    called_back = re.search(r'id="patient-33611223344">(.*?)</div>', dom, re.S)
    assert called_back and page_text(called_back.group(1)).startswith(" +33 6 11 22 33 44 Rappelé Appel")
    assert f'value="{VOICEMAIL_PATIENT}"' not in dom and f'value="{TAKEN_PATIENT}"' not in dom
    assert picture.stat().st_size > 10_000


def test_the_follow_up_link_expires_thirty_days_after_the_reopening(app, clock, client):
    log_the_closures_contacts(app)
    run_at(app, clock, REOPENING_MORNING)
    path = urlsplit(link_in(message_of(app, notice_rows(app, kind="follow_up")[0]).html, "follow-up")).path
    reopening = REOPENING_MORNING + timedelta(hours=2)

    clock.now = reopening + FOLLOW_UP_GRACE - timedelta(minutes=1)
    assert client.get(path).status_code == 200
    clock.now = reopening + FOLLOW_UP_GRACE + timedelta(seconds=1)
    assert client.get(path).status_code == 404
    assert client.post(path + "/done", data={"patient": VOICEMAIL_PATIENT}).status_code == 404


def test_ticking_off_needs_a_patient(app, clock, client):
    log_the_closures_contacts(app)
    run_at(app, clock, REOPENING_MORNING)
    path = urlsplit(link_in(message_of(app, notice_rows(app, kind="follow_up")[0]).html, "follow-up")).path
    token = form_of(client.get(path).get_data(as_text=True))["csrf_token"]

    assert client.post(path + "/done", data={"csrf_token": token}).status_code == 400


def test_ticking_off_needs_the_forms_own_token_and_a_patient_of_that_list(app, clock, client):
    log_the_closures_contacts(app)
    run_at(app, clock, REOPENING_MORNING)
    path = urlsplit(link_in(message_of(app, notice_rows(app, kind="follow_up")[0]).html, "follow-up")).path
    clock.now = REOPENING_MORNING + timedelta(hours=3)
    form = form_of(client.get(path).get_data(as_text=True), VOICEMAIL_PATIENT)

    # A page elsewhere posting to the link (cross-site request forgery) has no token.
    assert client.post(path + "/done", data={"patient": VOICEMAIL_PATIENT}).status_code == 400
    assert client.post(path + "/done", data={**form, "csrf_token": "x" * 64}).status_code == 400
    # A number that is not on this list cannot be ticked, even with the right token.
    assert client.post(path + "/done", data={**form, "patient": "+33699999999"}).status_code == 400
    assert "2 à rappeler" in client.get(path).get_data(as_text=True)
    assert client.post(path + "/done", data=form).status_code == 303
    assert "1 à rappeler" in client.get(path).get_data(as_text=True)



def test_the_offices_note_reaches_the_practices_follow_up_and_callback_lists(app, clock, client):
    from coverage.auth import make_user
    from coverage.flask import snapshots
    from tests.conftest import sign_in

    run_at(app, clock, START - timedelta(days=7))
    log_the_closures_contacts(app)
    clock.now = START + timedelta(days=6)
    contacts = urlsplit(briefing_link(app, MARTIN)).path + "/contacts"
    page = client.get(contacts).get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))

    answer = client.post(contacts + "/report", data={
        "csrf_token": html.unescape(fields["csrf_token"]), "ref": "CA01", "note": "Vu en urgence, antalgique prescrit"})
    refused = client.post(contacts + "/report", data={
        "csrf_token": html.unescape(fields["csrf_token"]), "ref": "CA03", "note": "pas le nôtre"})  # Permanence's

    assert answer.status_code == 303 and refused.status_code == 400
    assert "Traité ✓" in client.get(contacts).get_data(as_text=True)
    run_at(app, clock, REOPENING_MORNING)
    follow_up = urlsplit(link_in(message_of(app, notice_rows(app, kind="follow_up")[0]).html, "follow-up")).path
    listed = page_text(client.get(follow_up).get_data(as_text=True))
    assert "Traité par le cabinet du Dr Martin : « Vu en urgence, antalgique prescrit »" in listed
    assert "pas le nôtre" not in listed

    with app.app_context():
        snapshots().directory()
        make_user("accueil@cabinet-dupont.example.fr", "cabinet-dupont", "Sophie", "un mot de passe assez long", "test")
    practice = app.test_client()
    sign_in(practice, "accueil@cabinet-dupont.example.fr", "un mot de passe assez long")
    callbacks = page_text(practice.get("/practice/cabinet-dupont/callbacks").get_data(as_text=True))
    assert "+33 6 98 76 54 32" in callbacks and "Traité par le cabinet du Dr Martin : « Vu en urgence, antalgique prescrit »" in callbacks


def test_the_office_acknowledges_the_briefing_and_the_practice_sees_who_read_it(app, clock, client):
    from coverage.auth import make_user
    from coverage.flask import snapshots
    from tests.conftest import sign_in

    run_at(app, clock, START - timedelta(days=7))
    sheet = urlsplit(briefing_link(app, MARTIN)).path
    with app.app_context():
        snapshots().directory()
        make_user("accueil@cabinet-dupont.example.fr", "cabinet-dupont", "Sophie", "un mot de passe assez long", "test")
    practice = app.test_client()
    sign_in(practice, "accueil@cabinet-dupont.example.fr", "un mot de passe assez long")
    assert "Cabinet du Dr Martin : pas encore lue" in page_text(practice.get("/practice/cabinet-dupont").get_data(as_text=True))

    page = client.get(sheet).get_data(as_text=True)
    token = html.unescape(re.search(r'action="[^"]*/acknowledge".*?name="csrf_token" value="([^"]+)"', page, re.S).group(1))
    assert client.post(sheet + "/acknowledge", data={"csrf_token": token, "name": "Dr Martin"}).status_code == 303

    assert "Lu par Dr Martin le" in page_text(client.get(sheet).get_data(as_text=True))
    seen = page_text(practice.get("/practice/cabinet-dupont").get_data(as_text=True))
    assert "Cabinet du Dr Martin : Lu par Dr Martin le dimanche 20 décembre 2026" in seen


@pytest.mark.parametrize(("language", "words", "absent"), [
    ("en-GB", ("Briefing sheet", "You are number 1 of 2 to be called", "Opening hours", "What callers hear"),
     ("Fiche de liaison", "Horaires", "Vous êtes")),
    ("fr-CA", ("Fiche de liaison", "Courriel", "fins de semaine"), ("Briefing sheet", "week-end", "Email :")),
])
def test_an_office_reads_its_sheet_in_its_own_language(clock, tmp_path, language, words, absent):
    from tests.coverage.test_notices import edit

    folder = example_copy(tmp_path)
    edit(folder / "releve.yaml", "    email: accueil@cabinet-martin.example.fr\n    language: fr-FR",
         f"    email: accueil@cabinet-martin.example.fr\n    language: {language}")
    app = make_app(folder, tmp_path / "data", clock)
    with serving(app) as url:
        app.config["RELEVE_BASE_URL"] = url
        run_at(app, clock, START - timedelta(days=7))
        text = page_text(dump_dom(briefing_link(app, MARTIN)))

    for word in words:
        assert word in text, (word, text)
    for word in absent:
        assert word not in text, (word, text)
