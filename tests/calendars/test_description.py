"""Covering offices named in an event's description: `Relève : Name A, Name B`, plain or HTML."""
from __future__ import annotations

import pytest

from calendars.description import offices_named_in


def test_releve_line_names_the_covering_office():
    assert offices_named_in("Cabinet fermé pour congés.\nRelève : Cabinet du Dr Martin") == ("Cabinet du Dr Martin",)


def test_several_offices_separated_by_commas_form_the_chain_in_their_order():
    assert offices_named_in("Relève : Permanence Santé, Cabinet du Dr Martin, martin-2") == (
        "Permanence Santé", "Cabinet du Dr Martin", "martin-2")


def test_semicolons_separate_offices_like_commas():
    assert offices_named_in("Relève : Cabinet du Dr Martin; Permanence Santé") == (
        "Cabinet du Dr Martin", "Permanence Santé")


@pytest.mark.parametrize("line", [
    "Relève : Cabinet du Dr Martin",
    "relève: Cabinet du Dr Martin",
    "RELÈVE : Cabinet du Dr Martin",
    "Releve : Cabinet du Dr Martin",
    "Rele\u0300ve : Cabinet du Dr Martin",  # è written as e and a combining grave accent (macOS)
    "Couverture : Cabinet du Dr Martin",
    "COUVERTURE: Cabinet du Dr Martin",
    "Coverage: Cabinet du Dr Martin",
    "Covered by: Cabinet du Dr Martin",
    "covered BY : Cabinet du Dr Martin",
    "   Relève :   Cabinet du Dr Martin   ",
])
def test_every_keyword_spelling_names_the_office(line):
    assert offices_named_in(line) == ("Cabinet du Dr Martin",)


@pytest.mark.parametrize("space", ["\u00a0", "\u202f"], ids=["no-break-space", "narrow-no-break-space"])
def test_french_typography_space_before_the_colon_is_understood(space):
    assert offices_named_in(f"Relève{space}: Cabinet du Dr Martin") == ("Cabinet du Dr Martin",)


def test_office_names_keep_their_own_case_and_accents():
    assert offices_named_in("RELEVE : Cabinet du Dr Müller, PERMANENCE Santé") == (
        "Cabinet du Dr Müller", "PERMANENCE Santé")


def test_quotes_and_a_final_full_stop_around_a_name_are_dropped():
    assert offices_named_in("Relève : « Cabinet du Dr Martin », \"Permanence Santé\".") == (
        "Cabinet du Dr Martin", "Permanence Santé")


def test_google_html_with_a_no_break_space_and_line_breaks_names_the_office():
    description = ("Le cabinet est fermé pour les congés d'été.<br>Relève&nbsp;: Cabinet du Dr Martin<br><br>"
                   "En cas d'urgence, composez le <b>15</b>.")

    assert offices_named_in(description) == ("Cabinet du Dr Martin",)


def test_keyword_in_italics_still_names_the_office():
    assert offices_named_in("<p>Formation DPC.</p><p><i>Relève :</i> Permanence Santé</p>") == ("Permanence Santé",)


def test_outlook_html_in_divs_names_both_offices():
    description = ('<html><head><style type="text/css"> P {margin-top:0;margin-bottom:0;} </style></head>'
                   '<body dir="ltr"><div>Cabinet fermé toute la journée.</div>'
                   '<div>Relève&nbsp;: Cabinet du Dr Martin, Permanence Santé</div></body></html>')

    assert offices_named_in(description) == ("Cabinet du Dr Martin", "Permanence Santé")


def test_html_entities_in_office_names_are_decoded():
    assert offices_named_in("Relève&#160;: Cabinet d&#39;Orthodontie &amp; Associés<br/>") == (
        "Cabinet d'Orthodontie & Associés",)


def test_plain_text_with_an_ampersand_keeps_the_name_whole():
    assert offices_named_in("Relève : Martin & Associés") == ("Martin & Associés",)


def test_first_coverage_line_is_the_one_used():
    assert offices_named_in("Relève : Cabinet du Dr Martin\nCoverage: Permanence Santé") == ("Cabinet du Dr Martin",)


def test_releve_inside_a_sentence_names_no_office():
    assert offices_named_in("Pendant la fermeture, appelez la relève : le 15.") == ()


def test_description_without_a_coverage_line_names_no_office():
    assert offices_named_in("Cabinet fermé pour travaux.\nMerci de votre compréhension.") == ()


def test_empty_description_names_no_office():
    assert offices_named_in("") == ()
