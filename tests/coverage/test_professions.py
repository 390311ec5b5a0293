"""What callers hear and read, rendered for every profession and language with the default wording:
the emergency sentence of the profession and the country, the names agreeing, common closures said
as a person says them, never a calendar's raw title nor « (s) », and the reopening that cannot be
misheard."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from calendars.model import Closure
from config.settings import LANGUAGES, PROFESSIONS, Name, UrgentContact
from coverage.schedule import Answer
from coverage.wording.greetings import closed_greeting, greeting, voicemail_text, whisper_text
from coverage.wording.reasons import kind_of, spoken_reason
from coverage.wording.segments import encoding, segments
from coverage.wording.texts import auto_reply, text
from tests.builders import MONTREAL, PARIS, office, practice, settings

COUNTRY_OF = {"fr-FR": "FR", "fr-CA": "CA", "en-US": "US", "en-CA": "CA", "en-GB": "GB"}
NUMBERS = {"FR": "+33186951234", "CA": "+14384012290", "US": "+12125550123", "GB": "+442071838750"}
HUMAN_LINES = ("15", "8-1-1", "9-1-1", "999", "111", "112")
NAMES = {  # a name of each gender and number, as the practice gives it
    "fr": [Name("Cabinet dentaire Dupont", "le cabinet dentaire Dupont"),
           Name("Clinique vétérinaire du Plateau", "la clinique vétérinaire du Plateau"),
           Name("Étude notariale Lefèvre", "l'étude notariale Lefèvre"),
           Name("Cabinets réunis", "les cabinets réunis")],
    "en": [Name("Dupont Dental", "Dupont Dental")],
}
CLOSED = {"le ": "fermé", "la ": "fermée", "l'é": "fermée", "les": "fermés"}
RAW_TITLE = "Fermé - Noël"    # a title as practices write them for themselves


def _practice(profession: str, language: str, name: Name, **changes):
    tz = MONTREAL if COUNTRY_OF[language] in ("CA", "US") else PARIS
    return replace(practice(), profession=profession, language=language, numbers=(NUMBERS[COUNTRY_OF[language]],),
                   timezone=tz, name=name, **changes)


def _everything_said(p):
    """Every default greeting, whisper, voicemail and automatic text, on the second day of the
    Christmas closure, reopening on Saturday 9 January at 9:00."""
    offices = (office("martin", language=p.language), office("permanence", kind="answering_service",
                                                             name=Name("Permanence Santé", "la permanence Santé"),
                                                             language=p.language))
    config = settings(p, offices=offices)
    now = datetime(2026, 12, 28, 10, tzinfo=p.timezone)
    reopens = datetime(2027, 1, 9, 9, tzinfo=p.timezone)
    closure = Closure(datetime(2026, 12, 24, tzinfo=p.timezone), datetime(2027, 1, 9, tzinfo=p.timezone), RAW_TITLE,
                      "u1", is_all_day=True)
    said = {
        "closed": closed_greeting(config, p, Answer(now, False, ("martin", "permanence"), reopens, closure), now),
        "night": closed_greeting(config, p, Answer(now, False, ("permanence",), now + timedelta(hours=4)), now),
        "voicemail": voicemail_text(config, p, ("martin", "permanence"), is_open=False, reopens_at=reopens, now=now),
        "open_voicemail": voicemail_text(config, p, (), is_open=True),
        "whisper": whisper_text(config, p, offices[0], reopens, now),
        "next_office": greeting(config, p, "next_office", office="la permanence Santé", why="Pas de réponse."),
        "auto_reply": auto_reply(p, offices[0], reopens, now),
        "text_back": text(p, "text_back"),
    }
    return said


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("profession", PROFESSIONS)
def test_every_default_wording_of_every_profession_and_language_reads_as_a_person_would_say_it(profession, language):
    for name in NAMES[language[:2]]:
        p = _practice(profession, language, name)
        said = _everything_said(p)

        for what, words in said.items():
            assert "{" not in words and "  " not in words and "(s)" not in words, (what, words)
            assert RAW_TITLE not in words and "Noël" not in words, (what, words)   # never the title as written
            assert "relais prend le relais" not in words.lower(), (what, words)
        if language.startswith("fr"):
            closed = CLOSED[name.spoken[:3].lower()]
            assert f" est {closed} pour " in said["closed"], said["closed"]
            assert "Nous rouvrirons le samedi 9 janvier à 9 heures." in said["closed"]
            assert "qui rouvre le samedi 9 janvier à 9 heures" in said["whisper"]
            assert "jusqu'au samedi" not in said["closed"] + said["whisper"]  # heard as closed through Saturday
            holidays = "pour le temps des Fêtes" if language == "fr-CA" else "pour les fêtes de fin d'année"
            assert holidays in said["closed"]
            assert said["text_back"].startswith(name.spoken[:1].upper() + name.spoken[1:].split(" ", 1)[0])
        else:
            assert "We reopen on Saturday, January 9 at 9 AM." in said["closed"]
        # Before the beep: the emergency line, when the message is heard, that it is recorded.
        voicemail = said["voicemail"]
        assert voicemail.index("9 janvier" if language.startswith("fr") else "January 9") < len(voicemail)
        assert ("90 jours" if language.startswith("fr") else "90 days") in voicemail
        assert voicemail.endswith("après le bip." if language.startswith("fr") else "after the tone.")
        assert "Martin" not in voicemail   # the office that did not answer is not offered again
        health = profession in ("dentist", "doctor", "physiotherapist")
        if health:
            expected = {"FR": "composez le 15", "CA": "8-1-1", "US": "call 9-1-1", "GB": "call 999"}[COUNTRY_OF[language]]
            assert expected in voicemail and expected in said["open_voicemail"]
        else:
            assert not any(f" {line}" in voicemail for line in HUMAN_LINES), voicemail   # no human health line
        assert ("continuité des soins" in said["closed"]) == (health and language.startswith("fr"))
        assert encoding(said["auto_reply"]) == "GSM-7" or not language.startswith("fr")
        assert segments(said["auto_reply"]) <= 2 and segments(said["text_back"]) <= 2


def test_a_quebec_vet_sends_callers_to_the_animal_emergency_service_it_gives_never_to_info_sante():
    vet = _practice("vet", "fr-CA", NAMES["fr"][1],
                    emergency_line=UrgentContact("le Centre vétérinaire de garde", "+15145550123"))

    voicemail = _everything_said(vet)["voicemail"]

    assert "Pour une urgence concernant votre animal, appelez le Centre vétérinaire de garde au (514) 555-0123." in voicemail
    assert "Info-Santé" not in voicemail and "8-1-1" not in voicemail


def test_what_a_french_dentist_a_quebec_vet_and_a_notary_say():
    dentist = _everything_said(_practice("dentist", "fr-FR", NAMES["fr"][0]))
    vet = _everything_said(_practice("vet", "fr-CA", NAMES["fr"][1],
                                     emergency_line=UrgentContact("le Centre vétérinaire DMV", "+15146339999")))
    notary = _everything_said(_practice("notary", "fr-FR", NAMES["fr"][2]))

    assert dentist["closed"] == (
        "Bonjour. Le cabinet dentaire Dupont est fermé pour les fêtes de fin d'année. Nous rouvrirons le samedi "
        "9 janvier à 9 heures. Le cabinet Martin assure la continuité des soins : nous vous mettons en relation.")
    assert dentist["voicemail"] == (
        "Personne n'a pu prendre votre appel. En cas d'urgence vitale, composez le 15. Votre message sera écouté à "
        "notre réouverture, le samedi 9 janvier à 9 heures. Il est enregistré pour que nous puissions vous "
        "rappeler, puis effacé après 90 jours. Laissez votre nom, votre numéro et votre message après le bip.")
    assert vet["closed"] == (
        "Bonjour. La clinique vétérinaire du Plateau est fermée pour le temps des Fêtes. Nous rouvrirons le samedi "
        "9 janvier à 9 heures. Le cabinet Martin prend nos appels : nous transférons votre appel.")
    assert "appelez le Centre vétérinaire DMV au (514) 633-9999" in vet["voicemail"]
    assert notary["closed"].startswith("Bonjour. L'étude notariale Lefèvre est fermée pour les fêtes de fin d'année.")
    assert "urgence" not in notary["voicemail"].lower() and "soins" not in notary["closed"]
    assert notary["text_back"] == ("L'étude notariale Lefèvre n'a pas pu prendre votre appel. Nous vous rappellerons "
                                   "dès que possible.")
    assert dentist["auto_reply"] == ("Le cabinet dentaire Dupont est fermé. Réouverture le samedi 09/01 à 9 h. Votre "
                                     "message a été transmis au cabinet Martin, joignable au 01 42 00 11 22.")


@pytest.mark.parametrize(("title", "fr_fr", "fr_ca", "en"), [
    ("Pause déjeuner", " pendant la pause de midi", " pendant l'heure du dîner", " for lunch"),
    ("Fermé - Noël", " pour les fêtes de fin d'année", " pour le temps des Fêtes", " for the holidays"),
    ("Vacances des Fêtes", " pour les fêtes de fin d'année", " pour le temps des Fêtes", " for the holidays"),
    ("Formation - radiographie", " : nous sommes en formation", " : nous sommes en formation", " for staff training"),
    ("Congés d'été", " : nous sommes en congés", " : nous sommes en vacances", " while we are on vacation"),
    ("Lundi de Pâques", " en ce jour férié", " en ce jour férié", " for the holiday"),
    ("Fermé", "", "", ""),
    ("Rdv Dr X (perso)", "", "", ""),     # unknown: no reason rather than a wrong one
])
def test_common_closures_are_said_naturally_and_an_unknown_title_gives_no_reason(title, fr_fr, fr_ca, en):
    closure = Closure(datetime(2026, 12, 24, tzinfo=PARIS), datetime(2026, 12, 25, tzinfo=PARIS), title)

    assert [spoken_reason(closure, language) for language in ("fr-FR", "fr-CA", "en-US")] == [fr_fr, fr_ca, en]


def test_british_and_canadian_english_say_a_closure_in_their_own_words():
    closure = Closure(datetime(2026, 12, 24, tzinfo=PARIS), datetime(2026, 12, 25, tzinfo=PARIS), "Bank holiday")
    holidays = replace(closure, summary="Christmas closure")

    assert [spoken_reason(closure, language) for language in ("en-US", "en-GB", "en-CA")] == [
        " for the holiday", " for the bank holiday", " for the statutory holiday"]
    assert spoken_reason(holidays, "en-GB") == " over Christmas and New Year"


def test_a_quebec_office_is_asked_in_quebec_french_to_take_the_call():
    from coverage.wording.greetings import default_greeting

    assert default_greeting("fr-CA", "accept_prompt") == "Faites le 1 pour prendre l'appel."
    assert default_greeting("fr-FR", "accept_prompt") == "Appuyez sur 1 pour prendre l'appel."
    assert default_greeting("en-GB", "accept_prompt") == "Press 1 to take the call."


def test_a_practice_gives_the_spoken_reason_on_a_line_of_the_events_description():
    closure = Closure(datetime(2026, 12, 24, tzinfo=PARIS), datetime(2026, 12, 25, tzinfo=PARIS), "ADF",
                      notes="Paris, Palais des congrès\nMotif : pour le congrès de l'ADF")

    assert kind_of("ADF") is None
    assert spoken_reason(closure, "fr-FR") == " pour le congrès de l'ADF"


def test_the_caller_is_told_what_happened_before_the_next_office_is_dialled():
    from coverage.wording.greetings import why_not

    assert [why_not(s, "fr-FR") for s in ("busy", "no-answer", "failed", "declined")] == [
        "La ligne est occupée.", "Pas de réponse.", "L'appel n'a pas pu aboutir.", "L'appel n'a pas pu être pris."]
    assert why_not("busy", "en-GB") == "The line is busy."


@pytest.mark.parametrize(("spoken", "closed"), [
    ("le cabinet dentaire Dupont", "fermé"), ("la clinique vétérinaire du Plateau", "fermée"),
    ("l'étude notariale Lefèvre", "fermée"), ("l’étude de Maître Roy", "fermée"), ("l'office notarial Roy", "fermé"),
    ("les cabinets réunis", "fermés"), ("les urgences dentaires", "fermées"), ("Dentalia", "fermé")])
def test_closed_agrees_with_the_spoken_name_even_after_l_apostrophe(spoken, closed):
    from coverage.wording.names import closed_word

    assert closed_word(Name(spoken.capitalize(), spoken), "fr-FR") == closed


@pytest.mark.parametrize(("written", "spoken", "with_article"), [
    ("Cabinet du Dr Martin", "le cabinet du docteur Martin", "le cabinet du Dr Martin"),
    ("Clinique vétérinaire du Plateau", "la clinique vétérinaire du Plateau", "la clinique vétérinaire du Plateau"),
    ("Étude notariale Lefèvre", "l'étude notariale Lefèvre", "l'étude notariale Lefèvre"),
    ("Relais Santé Québec", "Relais Santé Québec", "Relais Santé Québec"),
    ("Le Cabinet des Tilleuls", "le cabinet des Tilleuls", "Le Cabinet des Tilleuls")])
def test_a_written_name_keeps_the_article_of_the_spoken_one(written, spoken, with_article):
    from coverage.wording.names import with_article as named

    assert named(Name(written, spoken), "fr-FR") == with_article


@pytest.mark.parametrize(("gender", "plural", "closed", "status"), [
    ("feminine", False, "fermée", "Fermée"), ("masculine", False, "fermé", "Fermé"),
    ("feminine", True, "fermées", "Fermées"), (None, False, "fermé", "Fermé")])
def test_a_name_without_an_article_agrees_with_its_given_gender(gender, plural, closed, status):
    from coverage.wording.names import status_word

    name = Name("Santé Plus", "Santé Plus", gender, plural)
    p = _practice("doctor", "fr-FR", name)
    said = _everything_said(p)

    assert said["closed"].startswith(f"Bonjour. Santé Plus est {closed} pour les fêtes de fin d'année.")
    assert said["auto_reply"].startswith(f"Santé Plus est {closed}.")
    assert status_word(name, False, "fr-FR") == status


def test_a_given_gender_outweighs_the_article():
    from coverage.wording.names import closed_word

    assert closed_word(Name("L'Orée", "l'Orée", "feminine"), "fr-FR") == "fermée"
    assert closed_word(Name("L'Orée", "l'Orée"), "fr-FR") == "fermé"
