"""What a text costs, counted as Twilio bills it, and the `config check` warning about texts that cost too much."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app import create_app
from coverage.wording.segments import encoding, non_gsm_characters, segments
from coverage.wording.texts import MAX_SEGMENTS, auto_reply, length_warnings, text
from tests.conftest import EXAMPLE_CONFIG

A_LONG_DATE = datetime(2027, 9, 29, 12, 30)  # "mercredi 29 septembre à 12 h 30"


@pytest.mark.parametrize(("body", "count"), [
    ("a" * 160, 1),
    ("a" * 161, 2),
    ("a" * 306, 2),            # 2 × 153: the joining header takes the rest
    ("a" * 307, 3),
    ("a" * 459, 3),
    ("a" * 460, 4),
])
def test_a_gsm_7_text_takes_160_characters_alone_and_153_per_segment_when_split(body, count):
    assert encoding(body) == "GSM-7"
    assert segments(body) == count


@pytest.mark.parametrize(("body", "count"), [
    ("€" * 80, 1),             # 160 septets
    ("€" * 81, 2),             # 162 septets
    ("a" * 159 + "€", 2),      # 161 septets, though 160 characters
    ("a" * 158 + "[", 1),
    ("a" * 158 + "{}", 2),
    ("^" * 152, 2),            # 304 septets: 76 a segment
    ("^" * 153, 3),            # 306 septets, but a segment of 153 holds 76 of them: never half of one
    ("|" * 154, 3),
    ("a" * 152 + "€" + "a" * 152, 3),   # 306 septets: the € cannot straddle the first two segments
    ("a" * 151 + "€" + "a" * 153, 2),   # 306 septets: the € ends the first segment exactly
])
def test_the_characters_of_the_extension_table_count_twice(body, count):
    assert encoding(body) == "GSM-7"
    assert segments(body) == count


@pytest.mark.parametrize(("body", "count"), [
    ("ê" * 70, 1),
    ("ê" * 71, 2),
    ("ê" * 134, 2),            # 2 × 67
    ("ê" * 135, 3),
    ("a" * 69 + "ç", 1),
    ("a" * 70 + "ç", 2),
])
def test_a_ucs_2_text_takes_70_characters_alone_and_67_per_segment_when_split(body, count):
    assert encoding(body) == "UCS-2"
    assert segments(body) == count


def test_an_emoji_counts_as_two_utf_16_units():
    assert segments("😀" * 35) == 1                   # 70 units
    assert segments("a" * 68 + "😀") == 1             # 70 units
    assert segments("a" * 69 + "😀") == 2             # 71 units, 70 characters
    assert segments("😀" * 66) == 2                   # 132 units: 33 a segment
    assert segments("😀" * 67) == 3                   # 134 units, but a pair is never split
    assert segments("ç" * 66 + "😀" + "ç" * 66) == 3  # 134 units: the pair starts the second segment


def test_a_single_character_outside_gsm_7_switches_the_whole_text_to_ucs_2():
    plain = "Votre rendez-vous est confirmé. " * 4   # 128 characters: one GSM-7 segment
    assert segments(plain) == 1
    assert segments(plain + "’") == 2                 # 129 UCS-2 characters: two of 67


@pytest.mark.parametrize("body", [
    "Le cabinet est fermé jusqu'à lundi, où le Dr Dupont vous recevra.",
    "Votre message a été transmis. Très urgent : appelez le 15.",
    "Ça, c'est noté.",        # the capital Ç is in the GSM-7 alphabet, its small letter is not
    "Réponse à l'accueil, après 14 h.",
])
def test_french_with_e_acute_e_grave_a_grave_and_u_grave_stays_in_gsm_7(body):
    assert encoding(body) == "GSM-7"
    assert non_gsm_characters(body) == []


@pytest.mark.parametrize(("body", "odd"), [
    ("Merci, reçu.", ["ç"]),
    ("Vous êtes bien au cabinet.", ["ê"]),
    ("Le cabinet rouvre à 9 h, à bientôt.", ["ô"]),
    ("Pâques", ["â"]),
    ("Message de l’accueil", ["’"]),
    ("« Urgent »", ["«", "»"]),
    ("À lundi", ["À"]),        # the small à is in GSM-7; the capital is not
])
def test_french_with_c_cedilla_circumflexes_the_curly_apostrophe_or_guillemets_switches_to_ucs_2(body, odd):
    assert encoding(body) == "UCS-2"
    assert non_gsm_characters(body) == odd


def test_the_default_french_automatic_replies_of_the_example_practices_fit_in_two_segments(example_settings):
    for practice in example_settings.practices:
        chain = dict.fromkeys((*practice.closure_chain, *practice.after_hours_chain))
        for office_id in chain:
            reopening = A_LONG_DATE.replace(tzinfo=practice.timezone)
            reply = auto_reply(practice, example_settings.offices[office_id], reopening, reopening - timedelta(days=5))
            assert encoding(reply) == "GSM-7", reply
            assert segments(reply) <= MAX_SEGMENTS, reply
        assert segments(text(practice, "text_back")) == 1
    assert length_warnings(example_settings.practices, example_settings.offices) == []


def _example_copy(folder: Path, *changes: tuple[str, str]) -> Path:
    """The bundled example (configuration and calendars) copied into `folder`, each (old, new) change made."""
    shutil.copytree(EXAMPLE_CONFIG.parent, folder, dirs_exist_ok=True)
    path = folder / "releve.yaml"
    content = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert content.count(old) == 1, old
        content = content.replace(old, new)
    path.write_text(content, encoding="utf-8")
    return path


def _config_check(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("RELEVE_CONFIG", str(path))
    app = create_app(None, {"TESTING": True, "RELEVE_BACKGROUND_REFRESH": False,
                            "RELEVE_DATA_DIR": str(tmp_path / "data")})
    return app.test_cli_runner().invoke(args=["config", "check"])


def test_config_check_warns_when_guillemets_in_an_office_name_make_the_automatic_reply_too_long(
        monkeypatch, tmp_path):
    # The reply names the office as it is written, with its article ("au cabinet du Dr Martin").
    path = _example_copy(tmp_path / "etc", ("written: Cabinet du Dr Martin",
                                            "written: Cabinet dentaire « Les Tilleuls » du Dr Martin"))

    result = _config_check(path, monkeypatch, tmp_path)

    assert result.exit_code == 0, result.output  # a warning, not an error: the texts still go out
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: practice ")]
    assert len(warnings) == 1, result.output
    assert warnings[0].startswith("warning: practice cabinet-dupont: the auto_reply text takes 3 SMS segments, "
                                  "more than 2 (each one is billed): the characters « » switch it to UCS-2")
    assert "texts.auto_reply" in warnings[0]


def test_config_check_warns_about_a_curly_apostrophe_in_an_office_name(monkeypatch, tmp_path):
    path = _example_copy(tmp_path / "etc", ("written: Permanence Accueil Santé",
                                            "written: Permanence d’Accueil Santé de l’Île-de-France"))

    result = _config_check(path, monkeypatch, tmp_path)

    assert result.exit_code == 0, result.output
    assert "warning: practice cabinet-dupont: the auto_reply text takes" in result.output
    assert "the characters Î ’ switch it to UCS-2" in result.output
    assert "practice clinique-plateau" not in result.output  # its offices are not that one


def test_config_check_warns_about_a_practice_wording_that_is_too_long(monkeypatch, tmp_path):
    path = _example_copy(tmp_path / "etc", ("    language: fr-FR\n    calendars:\n      - cabinet-dupont.ics",
                                            "    language: fr-FR\n    texts:\n      text_back: \"" + "Rappel. " * 40
                                            + "\"\n    calendars:\n      - cabinet-dupont.ics"))

    result = _config_check(path, monkeypatch, tmp_path)

    assert result.exit_code == 0, result.output
    assert ("warning: practice cabinet-dupont: the text_back text takes 3 SMS segments, more than 2 (each one is "
            "billed): it is too long. Shorten it under texts.text_back") in result.output


def test_a_text_override_with_an_unknown_placeholder_is_a_configuration_error_with_its_line(monkeypatch, tmp_path):
    override = "      auto_reply: \"{practice} est fermé. Appelez le {telephone}.\""
    calendars = "    calendars:\n      - cabinet-dupont.ics"
    path = _example_copy(tmp_path / "etc", (f"    language: fr-FR\n{calendars}",
                                            f"    language: fr-FR\n    texts:\n{override}\n{calendars}"))
    line = path.read_text(encoding="utf-8").splitlines().index(override) + 1

    result = _config_check(path, monkeypatch, tmp_path)

    assert result.exit_code == 1
    assert (f"{path}:{line}: error: practices[cabinet-dupont].texts.auto_reply: unknown placeholder {{telephone}}"
            in result.output)
    assert "{office_phone}" in result.output  # the fix lists the placeholders it may use


def test_config_check_counts_the_texts_in_every_month_and_finds_what_august_costs(monkeypatch, tmp_path):
    override = ('      auto_reply: "{Practice} est {closed} {reopening}. Votre message a été transmis {to_office}, '
                'joignable au {office_phone}. Merci de votre patience."')
    calendars = "    calendars:\n      - cabinet-dupont.ics"
    path = _example_copy(tmp_path / "etc", (f"    language: fr-FR\n{calendars}",
                                            f"    language: fr-FR\n    texts:\n{override}\n{calendars}"))

    result = _config_check(path, monkeypatch, tmp_path)

    assert result.exit_code == 0, result.output
    [warning] = [line for line in result.output.splitlines() if line.startswith("warning: practice cabinet-dupont")]
    # Every other month's name is GSM-7: only « août » and its û make it UCS-2, 3 segments.
    assert "the auto_reply text takes 3 SMS segments" in warning and "the characters û switch it to UCS-2" in warning
    assert "août" in warning


def test_the_default_automatic_reply_stays_in_gsm_7_in_every_month():
    from datetime import datetime, timedelta

    from coverage.wording.segments import encoding
    from coverage.wording.texts import auto_reply
    from tests.builders import office, practice

    dentist, partner = practice(), office()
    for month in range(1, 13):
        reopening = datetime(2027, month, 28, 12, 30, tzinfo=dentist.timezone)
        body = auto_reply(dentist, partner, reopening, reopening - timedelta(days=5))
        assert encoding(body) == "GSM-7", body
        assert segments(body) <= 2, body
        assert f"28/{month:02d} à 12 h 30" in body
