"""The words of pages, emails and notices come from gettext catalogs: every entry is translated,
with the same placeholders; Québec has its own words; French typography holds, except in SMS."""
from __future__ import annotations

import re
from string import Formatter

import pytest
from babel.messages.pofile import read_po

from coverage.wording.catalogs import LOCALES, TEMPLATE, tables
from coverage.wording.labels import counted, words
from coverage.wording.segments import encoding

NBSP = "\u00a0"


def _placeholders(text: str) -> set[str]:
    """The names a text is formatted with; French contracts « du cabinet » (`of_practice`)
    where English says "the practice"."""
    return {"practice" if name == "of_practice" else name for _, name, _, _ in Formatter().parse(text) if name}


def _catalog(locale: str):
    with (LOCALES / f"{locale}.po").open("rb") as source:
        return {m.context: m for m in read_po(source) if m.id}


ENGLISH = {key: english for table in tables().values() for key, english in table.items()}


def test_every_entry_has_its_french_translation_with_the_same_placeholders():
    french = _catalog("fr_FR")
    for key, english in ENGLISH.items():
        assert key in french, f"fr_FR.po has no translation of {key!r}"
        assert french[key].string, f"fr_FR.po leaves {key!r} untranslated"
        if isinstance(english, str):
            assert french[key].id == english, f"{key}: fr_FR.po translates an older English text"
            assert _placeholders(french[key].string) == _placeholders(english), key
        else:
            forms = french[key].string
            assert tuple(french[key].id) == english, f"{key}: fr_FR.po translates an older English text"
            assert all(_placeholders(f) == _placeholders(english[1]) for f in forms), key


@pytest.mark.parametrize("locale", ["fr_CA", "en_GB", "en_CA"])
def test_a_regional_catalog_translates_the_current_english_with_the_same_placeholders(locale):
    for key, message in _catalog(locale).items():
        english = ENGLISH.get(key)
        assert english is not None, f"{locale}.po translates {key!r}, which the code no longer has"
        assert (message.id if isinstance(message.id, str) else tuple(message.id)) == english, key
        for form in [message.string] if isinstance(message.string, str) else message.string:
            assert _placeholders(form) == _placeholders(english if isinstance(english, str) else english[1]), key


def test_the_template_for_new_languages_holds_every_entry_of_the_code():
    with TEMPLATE.open("rb") as source:
        written = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in read_po(source) if m.id}

    assert written == set(ENGLISH.items()), "run `make catalogs` to write messages.pot again"


def test_quebec_has_its_own_words_and_takes_the_rest_from_france():
    quebec = _catalog("fr_CA")
    assert set(quebec) <= set(_catalog("fr_FR"))
    w, france = words("fr-CA"), words("fr-FR")
    assert (w["email"], w["text"], france["email"], france["text"]) == ("Courriel", "Texto", "Email", "SMS")
    assert "fin de semaine" in w["by_night"] and "week-end" in france["by_night"]
    assert w["withheld"].startswith("Numéro confidentiel") and france["withheld"].startswith("Numéro masqué")
    assert w["intro"] == france["intro"]  # what Québec says alike comes from fr_FR
    assert w["count_texts"].format(count=2) == "2 textos"


@pytest.mark.parametrize(("language", "count", "expected"), [
    ("fr-FR", 0, "0 fermeture"), ("fr-FR", 1, "1 fermeture"), ("fr-FR", 2, "2 fermetures"),
    ("en-US", 0, "0 closures"), ("en-US", 1, "1 closure"), ("en-GB", 3, "3 closures")])
def test_plurals_are_real_and_french_counts_zero_in_the_singular(language, count, expected):
    assert words(language)["closures_count"].format(count=count) == expected
    assert "(s)" not in counted("alert_messages", count, language)


def test_a_practice_that_is_not_a_health_practice_has_clients():
    assert words("fr-FR", clients=True)["numbers"] == "Numéro des clients"
    assert words("en-US", clients=True).summary_of({"patients": 1, "calls": 1, "texts": 0, "to_call": 1})[
        "patients"] == "1 client"
    shown = [re.sub(r"\{\w+\}", "", v) for v in words("fr-FR", clients=True).values() if isinstance(v, str)]
    assert not [text for text in shown if re.search(r"(?i)\bpatient(e?s)?\b", text)]


def test_french_typography_keeps_a_no_break_space_before_colons_but_sms_stay_in_gsm_7():
    french = _catalog("fr_FR")
    for key, message in french.items():
        for text in [message.string] if isinstance(message.string, str) else message.string:
            _check_typography(key, text)


def _check_typography(key: str, text: str) -> None:
    if key.startswith("say."):
        return  # spoken, not printed; a page that quotes it sets its type (render.typeset)
    if key.endswith("_sms"):
        assert NBSP not in text and encoding(text.replace("{", "").replace("}", "")) == "GSM-7", key
    else:
        assert not re.search(r" [:;!?»](\s|$)", text) and "« " not in text, (key, text)


@pytest.mark.parametrize(("written", "set_"), [
    ("Réouverture lundi à 8 h 30 : appelez le 15 !", "Réouverture lundi à 8\u00a0h\u00a030\u00a0: appelez le 15\u00a0!"),
    ("« Fermé » de 12 h à 14 h", "«\u00a0Fermé\u00a0» de 12\u00a0h à 14\u00a0h"),
    ("9 heures, 2 hommes", "9 heures, 2 hommes"),
    ("Reopens Monday at 8:30\u202fAM: call 911.", "Reopens Monday at 8:30\u202fAM: call 911.")])
def test_a_page_sets_french_type_and_leaves_english_as_it_is(written, set_):
    from coverage.wording.typography import typeset

    assert typeset(written) == set_ and typeset(set_) == set_


def test_a_calendars_problem_keeps_its_english_for_the_host_and_is_said_in_the_practices_language():
    import pickle

    from calendars.messages import Said, said_from_json
    from coverage.wording.problems import said_in

    rule = Said("repeats_too_often_since", every=Said("every.DAILY"), year=2019, count="2 900", limit="1 000")
    stored = said_from_json(pickle.loads(pickle.dumps(said_from_json(rule.to_json()))).to_json())

    assert stored == rule and stored.startswith("this rule repeats every day since 2019, 2 900 times")
    assert said_in(stored, "fr-FR").startswith("cette règle se répète chaque jour depuis 2019, 2 900 fois")
    assert said_in(stored, "en-GB") == str(rule)
    assert said_from_json("the copy an older worker stored") == "the copy an older worker stored"
