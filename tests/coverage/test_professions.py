"""The default wording follows the practice's profession and country: the emergency sentence, and
« continuité des soins » for health practices only. Rendered for every profession and language."""
from __future__ import annotations

from dataclasses import replace

import pytest

from config.settings import LANGUAGES, PROFESSIONS, UrgentContact
from coverage.wording.greetings import greeting
from tests.builders import MONTREAL, practice, settings

COUNTRIES = {"FR": ("+33186951234", "Europe/Paris"), "CA": ("+14384012290", "America/Montreal"),
             "US": ("+12125550123", "America/New_York"), "GB": ("+442071838750", "Europe/London")}
HUMAN_LINES = ("15", "8-1-1", "9-1-1", "999", "111", "112")


def _practice(profession: str, language: str, country: str, **changes):
    number, _ = COUNTRIES[country]
    return replace(practice(), profession=profession, language=language, numbers=(number,), timezone=MONTREAL,
                   **changes)


def _voicemail(p) -> str:
    return greeting(settings(p), p, "voicemail", office="le cabinet du docteur Martin", office_phone="01 42 00 11 22")


def _closed(p) -> str:
    return greeting(settings(p), p, "closed", reason="", reopening="jusqu'à 14 heures", office="la permanence")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("profession", PROFESSIONS)
def test_every_profession_and_language_has_its_emergency_sentence_or_none(profession, language):
    country = {"fr-FR": "FR", "fr-CA": "CA", "en-US": "US", "en-CA": "CA", "en-GB": "GB"}[language]
    p = _practice(profession, language, country)

    voicemail, closed = _voicemail(p), _closed(p)

    assert "{" not in voicemail and "  " not in voicemail and "(s)" not in voicemail
    if profession in ("dentist", "doctor", "physiotherapist"):
        expected = {"FR": "composez le 15", "CA": "8-1-1", "US": "call 9-1-1", "GB": "call 999"}[country]
        assert expected in voicemail
        assert ("continuité des soins" in closed) == language.startswith("fr")
    else:
        assert not any(f" {line}" in voicemail for line in HUMAN_LINES), voicemail   # no human health line
        assert "soins" not in closed


def test_a_quebec_vet_sends_callers_to_the_animal_emergency_service_it_gives_never_to_info_sante():
    vet = _practice("vet", "fr-CA", "CA", emergency_line=UrgentContact("le Centre vétérinaire de garde", "+15145550123"))

    voicemail = _voicemail(vet)

    assert "Pour une urgence concernant votre animal, appelez le Centre vétérinaire de garde au (514) 555-0123." in voicemail
    assert "Info-Santé" not in voicemail and "8-1-1" not in voicemail


def test_a_french_dentist_a_quebec_dentist_and_a_notary_say_what_fits_them():
    dentist = _practice("dentist", "fr-FR", "FR")
    quebec = _practice("dentist", "fr-CA", "CA")
    notary = _practice("notary", "fr-FR", "FR")

    assert _voicemail(dentist) == ("Personne n'a pu prendre votre appel. En cas d'urgence vitale, composez le 15. "
                                   "Laissez votre nom, votre numéro et votre message après le bip : le cabinet "
                                   "dentaire Dupont vous rappellera.")
    assert "Pour un conseil santé, appelez Info-Santé au 8-1-1. Laissez votre nom" in _voicemail(quebec)
    assert _voicemail(notary).startswith("Personne n'a pu prendre votre appel. Laissez votre nom")
    assert "La permanence prend nos appels : nous vous mettons en relation." in _closed(notary)


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
    from config.settings import Name
    from coverage.wording.names import closed_word

    assert closed_word(Name(spoken.capitalize(), spoken), "fr-FR") == closed
