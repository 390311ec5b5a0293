"""The YAML configuration: every mistake reported at once, with its file, line, key and fix."""
from __future__ import annotations

import dataclasses
import shutil
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.errors import ConfigError, Problem
from config.loader import load_settings, parse_settings
from tests.builders import hm
from tests.conftest import EXAMPLE_CONFIG

# One practice, one covering office: the smallest valid file. Its lines, for the tests below:
#  1 practices          6 timezone        11 offices           16 language
#  2 - id               7 language        12 - id
#  3 name               8 calendars       13 kind
#  4 numbers            9 coverage        14 name
#  5 front_desk        10 closures        15 phone
MINIMAL = """\
practices:
  - id: cabinet-dupont
    name: Cabinet dentaire Dupont
    numbers: ["+33 1 86 95 12 34"]
    front_desk: ["+33 1 45 67 89 10"]
    timezone: Europe/Paris
    language: fr-FR
    calendars: [conges.ics]
    coverage:
      closures: [cabinet-martin]
offices:
  - id: cabinet-martin
    kind: partner
    name: Cabinet du Dr Martin
    phone: "+33 1 42 00 11 22"
    language: fr-FR
"""

# A second practice, for what only shows with two; inserted before `offices:` (lines 11 to 19).
SECOND_PRACTICE = """\
  - id: cabinet-leroy
    name: Cabinet Leroy
    numbers: ["+33 1 86 95 56 78"]
    front_desk: ["+33 1 45 67 00 00"]
    timezone: Europe/Paris
    language: fr-FR
    calendars: [conges.ics]
    coverage:
      closures: [cabinet-martin]
"""


def write_config(folder: Path, *changes: tuple[str, str], text: str = MINIMAL) -> Path:
    """Write `text` with each (old, new) change applied as releve.yaml, next to a real calendar."""
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} must appear exactly once to be changed"
        text = text.replace(old, new)
    shutil.copy(EXAMPLE_CONFIG.parent / "cabinet-dupont.ics", folder / "conges.ics")
    path = folder / "releve.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def with_second_practice(*changes: tuple[str, str]) -> str:
    """MINIMAL with SECOND_PRACTICE, each change applied to the second practice only."""
    second = SECOND_PRACTICE
    for old, new in changes:
        assert second.count(old) == 1, old
        second = second.replace(old, new)
    return MINIMAL.replace("offices:\n", second + "offices:\n")


def problems_of(path: Path) -> list[Problem]:
    """The problems of a file that must not load."""
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    return list(raised.value.problems)


def the_problem(path: Path) -> Problem:
    """The one problem of a file with one mistake."""
    problems = problems_of(path)
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    return problems[0]


def where(problems: list[Problem]) -> list[tuple[int | None, str]]:
    return [(p.line, p.key) for p in problems]


# The bundled example


def test_the_bundled_example_loads_with_its_two_practices_and_four_covering_offices():
    settings = load_settings(EXAMPLE_CONFIG)

    assert [p.id for p in settings.practices] == ["cabinet-dupont", "clinique-plateau"]
    assert sorted(settings.offices) == ["cabinet-martin", "clinique-rosemont", "permanence-sante", "relais-quebec"]
    assert settings.path == EXAMPLE_CONFIG


def test_the_bundled_example_stores_every_number_in_e164_form():
    settings = load_settings(EXAMPLE_CONFIG)
    dupont, plateau = settings.practices

    assert dupont.numbers == ("+33186951234",) and dupont.front_desk == ("+33145678910",)
    assert plateau.numbers == ("+14384012290",) and plateau.front_desk == ("+15145214867",)
    martin = settings.offices["cabinet-martin"]
    assert (martin.phone, martin.sms) == ("+33142001122", "+33612345678")
    assert settings.offices["relais-quebec"].phone == "+15147003311"


def test_the_bundled_example_has_its_time_zones_languages_names_and_chains():
    settings = load_settings(EXAMPLE_CONFIG)
    dupont, plateau = settings.practices

    assert (dupont.timezone, dupont.language) == (ZoneInfo("Europe/Paris"), "fr-FR")
    assert (plateau.timezone, plateau.language) == (ZoneInfo("America/Montreal"), "fr-CA")
    assert dupont.name.written == "Cabinet dentaire Dupont"
    assert dupont.name.spoken == "le cabinet dentaire Dupont"
    assert dupont.closure_chain == ("cabinet-martin", "permanence-sante")
    assert dupont.after_hours_chain == ("permanence-sante",)
    assert [o.name.written for o in settings.chain_offices(plateau.closure_chain)] == [
        "Clinique vétérinaire Rosemont", "Relais Santé Québec"]
    assert dupont.instructions.startswith("Urgences (douleur, traumatisme, infection)")
    assert settings.service.refresh == timedelta(minutes=15)
    assert settings.service.horizon == timedelta(days=400)


def test_the_bundled_example_calendars_are_absolute_paths_in_its_own_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the working directory plays no part
    settings = load_settings(EXAMPLE_CONFIG)
    dupont, plateau = settings.practices

    folder = EXAMPLE_CONFIG.parent
    assert [c.location for c in dupont.calendars] == [
        str(folder / "cabinet-dupont.ics"), str(folder / "jours-feries-france.ics")]
    assert [c.label for c in dupont.calendars] == ["cabinet-dupont.ics", "jours-feries-france.ics"]
    assert plateau.calendars[0].selection.categories == ("Fermeture",)
    assert plateau.calendars[1].selection.is_everything


def test_the_bundled_example_opening_hours_close_on_sunday_in_paris_and_montreal():
    dupont, plateau = load_settings(EXAMPLE_CONFIG).practices

    assert dupont.opening_hours is not None and plateau.opening_hours is not None
    assert dupont.opening_hours.days[0] == ((hm(8, 30), hm(19),),)
    assert dupont.opening_hours.days[5] == ((hm(9), hm(12)),)
    assert dupont.opening_hours.days[6] == ()
    assert plateau.opening_hours.days[2] == ((hm(8), hm(20)),)
    assert plateau.opening_hours.days[6] == ()  # sunday is not written: closed


def test_the_settings_are_frozen():
    settings = load_settings(EXAMPLE_CONFIG)

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.practices[0].timezone = ZoneInfo("UTC")  # type: ignore[misc]


# The smallest file


def test_the_minimal_file_loads(tmp_path):
    settings = load_settings(write_config(tmp_path))

    (practice,) = settings.practices
    assert practice.id == "cabinet-dupont"
    assert practice.calendars[0].location == str(tmp_path / "conges.ics")
    assert practice.opening_hours is None and practice.instructions == ""
    assert settings.service.public_url is None


def test_a_name_written_as_plain_text_is_both_written_and_spoken(tmp_path):
    practice = load_settings(write_config(tmp_path)).practices[0]

    assert practice.name.written == practice.name.spoken == "Cabinet dentaire Dupont"


def test_a_single_number_without_brackets_is_a_list_of_one(tmp_path):
    path = write_config(tmp_path, ('numbers: ["+33 1 86 95 12 34"]', 'numbers: "+33 1 86 95 12 34"'))

    assert load_settings(path).practices[0].numbers == ("+33186951234",)


def test_parse_settings_reads_text_as_if_from_the_given_path(tmp_path):
    write_config(tmp_path)

    settings = parse_settings(MINIMAL, tmp_path / "releve.yaml")

    assert settings.practices[0].calendars[0].location == str(tmp_path / "conges.ics")


# Unknown, missing and empty keys


def test_a_misspelt_key_is_reported_with_its_line_and_the_right_spelling(tmp_path):
    problem = the_problem(write_config(tmp_path, ("timezone: Europe/Paris", "timezon: Europe/Paris")))

    assert (problem.file, problem.line) == (str(tmp_path / "releve.yaml"), 6)
    assert problem.key == "practices[cabinet-dupont].timezon"
    assert problem.message == "unknown key"
    assert problem.fix == 'did you mean "timezone"?'
    assert not problem.is_warning


def test_a_misspelt_key_deep_in_coverage_names_its_full_path(tmp_path):
    path = write_config(tmp_path, ("      closures: [cabinet-martin]\n",
                                   "      closures: [cabinet-martin]\n      outside_hour: [cabinet-martin]\n"))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (11, "practices[cabinet-dupont].coverage.outside_hour")
    assert problem.fix == 'did you mean "outside_hours"?'


def test_an_unknown_key_unlike_any_other_lists_the_keys_allowed_there(tmp_path):
    problem = the_problem(write_config(tmp_path, ("    kind: partner\n", "    kind: partner\n    fax: x\n")))

    assert (problem.line, problem.key) == (14, "offices[cabinet-martin].fax")
    assert "id, kind, name, phone, language, sms, email" in problem.fix


def test_a_missing_required_key_is_reported_at_its_entry(tmp_path):
    problem = the_problem(write_config(tmp_path, ("    timezone: Europe/Paris\n", "")))

    assert (problem.line, problem.key) == (2, "practices[cabinet-dupont]")
    assert problem.message == 'missing required key "timezone"'
    assert problem.fix == "add `timezone:` under practices[cabinet-dupont]"


def test_a_missing_id_names_the_entry_by_its_position(tmp_path):
    problems = problems_of(write_config(tmp_path, ("  - id: cabinet-martin\n    kind", "  - kind")))

    assert where(problems) == [(12, "offices[0]"), (10, "practices[cabinet-dupont].coverage.closures")]
    assert problems[0].message == 'missing required key "id"'


@pytest.mark.parametrize(("old", "new", "line", "key"), [
    ("timezone: Europe/Paris", "timezone:", 6, "practices[cabinet-dupont].timezone"),
    ("language: fr-FR\n    calendars", "language:\n    calendars", 7, "practices[cabinet-dupont].language"),
    ('numbers: ["+33 1 86 95 12 34"]', "numbers:", 4, "practices[cabinet-dupont].numbers"),
    ("coverage:\n      closures: [cabinet-martin]", "coverage:", 9, "practices[cabinet-dupont].coverage"),
    ("closures: [cabinet-martin]", "closures:", 10, "practices[cabinet-dupont].coverage.closures"),
    ("kind: partner", "kind:", 13, "offices[cabinet-martin].kind"),
    ('phone: "+33 1 42 00 11 22"', "phone:", 15, "offices[cabinet-martin].phone"),
])
def test_a_required_key_left_empty_is_reported_once_at_its_own_line(tmp_path, old, new, line, key):
    problem = the_problem(write_config(tmp_path, (old, new)))

    assert (problem.line, problem.key) == (line, key)


@pytest.mark.parametrize("key", ["numbers", "front_desk"])
def test_an_empty_list_of_phone_numbers_is_reported(tmp_path, key):
    line = {"numbers": 4, "front_desk": 5}[key]
    text = MINIMAL.splitlines(keepends=True)[line - 1]
    problem = the_problem(write_config(tmp_path, (text, f"    {key}: []\n")))

    assert (problem.line, problem.key) == (line, f"practices[cabinet-dupont].{key}")


def test_an_office_with_an_empty_phone_is_refused_not_left_out_of_the_settings(tmp_path):
    # Left out, the office would still be named by the chain: a KeyError at the first closure.
    problem = the_problem(write_config(tmp_path, ('phone: "+33 1 42 00 11 22"', 'phone: ""')))

    assert (problem.line, problem.key) == (15, "offices[cabinet-martin].phone")


def test_a_practice_with_a_mistake_is_never_left_out_while_the_others_load(tmp_path):
    path = write_config(tmp_path, text=with_second_practice(("timezone: Europe/Paris", "timezone:")))

    assert where(problems_of(path)) == [(15, "practices[cabinet-leroy].timezone")]


# Phone numbers


def test_a_national_french_number_is_refused_with_its_e164_form_as_a_hint(tmp_path):
    problem = the_problem(write_config(tmp_path, ('front_desk: ["+33 1 45 67 89 10"]', "front_desk: [01 45 67 89 10]")))

    assert (problem.line, problem.key) == (5, "practices[cabinet-dupont].front_desk")
    assert problem.message == '"01 45 67 89 10" is not in international format'
    assert "+33145678910" in problem.fix


def test_a_national_north_american_number_is_refused_with_its_e164_form_as_a_hint(tmp_path):
    problem = the_problem(write_config(tmp_path, ('phone: "+33 1 42 00 11 22"', 'phone: "(514) 527-9301"')))

    assert (problem.line, problem.key) == (15, "offices[cabinet-martin].phone")
    assert "+15145279301" in problem.fix


@pytest.mark.parametrize("written", ["+33 1 45 67 89", "+33 abc", "+1 555 0123"])
def test_an_international_number_that_cannot_exist_is_refused(tmp_path, written):
    problem = the_problem(write_config(tmp_path, ('phone: "+33 1 42 00 11 22"', f'phone: "{written}"')))

    assert (problem.line, problem.key) == (15, "offices[cabinet-martin].phone")
    assert f'"{written}" is not' in problem.message


@pytest.mark.parametrize("written", ["+33142001122", "0142001122"])
def test_an_unquoted_number_that_yaml_reads_as_an_integer_is_refused_with_a_hint_to_quote_it(tmp_path, written):
    # YAML turns +33142001122 into 33142001122, and 0142001122 into an octal 25690706.
    problem = the_problem(write_config(tmp_path, ('phone: "+33 1 42 00 11 22"', f"phone: {written}")))

    assert (problem.line, problem.key) == (15, "offices[cabinet-martin].phone")
    assert "quotes" in problem.fix


def test_an_unquoted_number_in_a_list_is_refused_too(tmp_path):
    problem = the_problem(write_config(tmp_path, ('numbers: ["+33 1 86 95 12 34"]', "numbers: [+33186951234]")))

    assert (problem.line, problem.key) == (4, "practices[cabinet-dupont].numbers")
    assert "quotes" in problem.fix


@pytest.mark.parametrize("written", ["+33 1.45.67.89.10", "+33-1-45-67-89-10", "+33145678910"])
def test_international_numbers_with_spaces_dots_or_dashes_are_stored_in_e164(tmp_path, written):
    path = write_config(tmp_path, ('front_desk: ["+33 1 45 67 89 10"]', f'front_desk: ["{written}"]'))

    assert load_settings(path).practices[0].front_desk == ("+33145678910",)


def test_an_office_sms_number_and_email_are_checked_too(tmp_path):
    path = write_config(tmp_path, text=MINIMAL + '    sms: "06 12 34 56 78"\n    email: accueil.cabinet-martin.fr\n')

    assert where(problems_of(path)) == [(17, "offices[cabinet-martin].sms"), (18, "offices[cabinet-martin].email")]


# Time zones and languages


def test_an_unknown_time_zone_is_reported_with_the_closest_zone(tmp_path):
    problem = the_problem(write_config(tmp_path, ("Europe/Paris", "Europe/Pariss")))

    assert (problem.line, problem.key) == (6, "practices[cabinet-dupont].timezone")
    assert problem.message == 'unknown time zone "Europe/Pariss"'
    assert problem.fix == 'did you mean "Europe/Paris"?'


def test_an_unknown_language_is_reported_with_the_languages_releve_speaks(tmp_path):
    problem = the_problem(write_config(tmp_path, ("language: fr-FR\n    calendars", "language: fr-BE\n    calendars")))

    assert (problem.line, problem.key) == (7, "practices[cabinet-dupont].language")
    assert problem.message == 'unknown language "fr-BE"'
    assert "fr-FR, fr-CA, en-US, en-CA, en-GB" in problem.fix


def test_an_unknown_office_language_names_the_office(tmp_path):
    problem = the_problem(write_config(tmp_path, ('11 22"\n    language: fr-FR', '11 22"\n    language: de-DE')))

    assert (problem.line, problem.key) == (16, "offices[cabinet-martin].language")


def test_a_language_is_accepted_in_any_case_and_with_an_underscore(tmp_path):
    path = write_config(tmp_path, ("language: fr-FR\n    calendars", "language: fr_ca\n    calendars"))

    assert load_settings(path).practices[0].language == "fr-CA"


# Coverage chains, ids and numbers shared between entries


def test_a_coverage_chain_naming_an_unknown_office_suggests_the_closest_id(tmp_path):
    problem = the_problem(write_config(tmp_path, ("closures: [cabinet-martin]", "closures: [cabinet-martn]")))

    assert (problem.line, problem.key) == (10, "practices[cabinet-dupont].coverage.closures")
    assert problem.message == 'no covering office has the id "cabinet-martn"'
    assert problem.fix == 'did you mean "cabinet-martin"?'


def test_an_outside_hours_chain_naming_an_unknown_office_lists_the_known_ones(tmp_path):
    path = write_config(tmp_path, ("      closures: [cabinet-martin]\n",
                                   "      closures: [cabinet-martin]\n      outside_hours: [sos-medecins]\n"))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (11, "practices[cabinet-dupont].coverage.outside_hours")
    assert "cabinet-martin" in problem.fix


def test_an_office_listed_twice_in_a_chain_is_refused(tmp_path):
    problem = the_problem(write_config(tmp_path, ("[cabinet-martin]", "[cabinet-martin, cabinet-martin]")))

    assert (problem.line, problem.key) == (10, "practices[cabinet-dupont].coverage.closures")
    assert problem.fix == "list each office once"


def test_an_empty_closures_chain_is_refused_since_callers_would_reach_nobody(tmp_path):
    problem = the_problem(write_config(tmp_path, ("closures: [cabinet-martin]", "closures: []")))

    assert (problem.line, problem.key) == (10, "practices[cabinet-dupont].coverage.closures")
    assert "reach nobody" in problem.message


def test_an_office_with_its_own_mistake_is_not_reported_again_at_the_chain_naming_it(tmp_path):
    problem = the_problem(write_config(tmp_path, ("kind: partner", "kind: partenaire")))

    assert (problem.line, problem.key) == (13, "offices[cabinet-martin].kind")
    assert problem.fix == "use one of: partner, answering_service"


def test_outside_hours_defaults_to_the_closures_chain(tmp_path):
    practice = load_settings(write_config(tmp_path)).practices[0]

    assert practice.after_hours_chain == practice.closure_chain == ("cabinet-martin",)


def test_outside_hours_may_name_its_own_chain(tmp_path):
    path = write_config(tmp_path, ("closures: [cabinet-martin]", "closures: [cabinet-martin]\n"
                                   "      outside_hours: [permanence]"),
                        text=MINIMAL + "  - id: permanence\n    kind: answering_service\n    name: Permanence\n"
                                       '    phone: "+33 9 70 00 12 34"\n    language: fr-FR\n')

    practice = load_settings(path).practices[0]

    assert practice.closure_chain == ("cabinet-martin",)
    assert practice.after_hours_chain == ("permanence",)


def test_a_practice_id_used_twice_is_reported_at_the_second_one(tmp_path):
    path = write_config(tmp_path, text=with_second_practice(("id: cabinet-leroy", "id: cabinet-dupont")))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (11, "practices[cabinet-dupont].id")
    assert problem.message == 'the id "cabinet-dupont" is used twice'


def test_an_office_id_used_twice_is_reported_at_the_second_one(tmp_path):
    office = MINIMAL[MINIMAL.index("  - id: cabinet-martin"):]
    problem = the_problem(write_config(tmp_path, text=MINIMAL + office))

    assert (problem.line, problem.key) == (17, "offices[cabinet-martin].id")


@pytest.mark.parametrize("ident", ["Cabinet-Dupont", "cabinet dupont", "-dupont", "cabinet/dupont"])
def test_an_id_that_is_not_lower_case_letters_digits_dashes_or_underscores_is_refused(tmp_path, ident):
    problem = the_problem(write_config(tmp_path, ("id: cabinet-dupont", f'id: "{ident}"')))

    assert (problem.line, problem.key) == (2, "practices[0].id")
    assert "cabinet-dupont" in problem.fix


def test_a_twilio_number_used_by_two_practices_is_refused_even_written_differently(tmp_path):
    path = write_config(tmp_path, text=with_second_practice(('"+33 1 86 95 56 78"', '"+33186951234"')))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (13, "practices[cabinet-leroy].numbers")
    assert problem.message == "+33186951234 already belongs to practice cabinet-dupont"


def test_two_practices_with_their_own_numbers_both_load(tmp_path):
    settings = load_settings(write_config(tmp_path, text=with_second_practice()))

    assert [p.id for p in settings.practices] == ["cabinet-dupont", "cabinet-leroy"]


# Opening hours


def hours_config(tmp_path: Path, *days: str) -> Path:
    """MINIMAL with opening_hours (line 11 on) holding `days`, one `day: value` each (line 12 on)."""
    block = "    opening_hours:\n" + "".join(f"      {day}\n" for day in days)
    return write_config(tmp_path, ("      closures: [cabinet-martin]\n", "      closures: [cabinet-martin]\n" + block))


def test_opening_hours_read_ranges_closed_days_and_days_left_out(tmp_path):
    path = hours_config(tmp_path, 'monday: ["08:30-12:30", "14:00-19:00"]', 'tuesday: "8:30-12:30"',
                        "wednesday: closed", "thursday: fermé", "friday: 08h30-12h30", "saturday: off")

    hours = load_settings(path).practices[0].opening_hours

    assert hours is not None
    assert hours.days == (
        ((hm(8, 30), hm(12, 30)), (hm(14), hm(19))),
        ((hm(8, 30), hm(12, 30)),),
        (), (),
        ((hm(8, 30), hm(12, 30)),),
        (), (),
    )


def test_opening_ranges_are_kept_in_order_whatever_order_they_are_written_in(tmp_path):
    path = hours_config(tmp_path, 'monday: ["14:00-19:00", "08:30-12:30"]')

    hours = load_settings(path).practices[0].opening_hours

    assert hours is not None and hours.days[0] == ((hm(8, 30), hm(12, 30)), (hm(14), hm(19)))


def test_a_day_may_be_open_until_midnight_written_24_00(tmp_path):
    hours = load_settings(hours_config(tmp_path, 'friday: ["00:00-24:00"]')).practices[0].opening_hours

    assert hours is not None and hours.days[4] == ((0, 86400),)


def test_ranges_that_touch_are_not_an_overlap(tmp_path):
    hours = load_settings(hours_config(tmp_path, 'monday: ["08:00-12:00", "12:00-14:00"]')).practices[0].opening_hours

    assert hours is not None and hours.days[0] == ((hm(8), hm(12)), (hm(12), hm(14)))


def test_overlapping_ranges_are_refused(tmp_path):
    problem = the_problem(hours_config(tmp_path, "monday: closed", 'tuesday: ["08:30-12:30", "12:00-19:00"]'))

    assert (problem.line, problem.key) == (13, "practices[cabinet-dupont].opening_hours.tuesday")
    assert problem.message == "opening ranges overlap"


@pytest.mark.parametrize("written", ["8-12", "08:30-25:00", "24:00-24:30", "12:00-08:00", "09:00-09:00",
                                     "08:60-12:00", "08:30", "matin"])
def test_a_malformed_opening_range_is_refused_with_the_expected_form(tmp_path, written):
    problem = the_problem(hours_config(tmp_path, f'monday: ["{written}"]', 'tuesday: ["08:30-12:30"]'))

    assert (problem.line, problem.key) == (12, "practices[cabinet-dupont].opening_hours.monday")
    assert problem.message == f'"{written}" is not an opening range'
    assert '"08:30-12:30"' in problem.fix


def test_opening_hours_that_never_open_are_refused(tmp_path):
    problem = the_problem(hours_config(tmp_path, "monday: closed", "sunday: closed"))

    assert (problem.line, problem.key) == (11, "practices[cabinet-dupont].opening_hours")
    assert problem.message == "the practice is never open"


def test_a_misspelt_weekday_suggests_the_right_one(tmp_path):
    problem = the_problem(hours_config(tmp_path, 'monday: ["08:30-12:30"]', 'tuesdya: ["08:30-12:30"]'))

    assert (problem.line, problem.key) == (13, "practices[cabinet-dupont].opening_hours.tuesdya")
    assert problem.fix == 'did you mean "tuesday"?'


def test_a_day_given_a_mapping_instead_of_ranges_is_refused(tmp_path):
    problem = the_problem(hours_config(tmp_path, 'monday: {open: "08:30", close: "12:30"}', 'tuesday: "08:30-12:30"'))

    assert (problem.line, problem.key) == (12, "practices[cabinet-dupont].opening_hours.monday")


# Secrets


def test_an_auth_token_in_the_yaml_is_refused_and_the_fix_names_the_environment_variable(tmp_path):
    problem = the_problem(write_config(tmp_path, text="auth_token: 0123456789abcdef\n" + MINIMAL))

    assert (problem.line, problem.key) == (1, "auth_token")
    assert problem.message == "secrets are not read from the configuration file"
    assert "TWILIO_AUTH_TOKEN" in problem.fix and "_FILE" in problem.fix


def test_an_smtp_password_under_an_office_is_refused_and_the_fix_names_smtp_password(tmp_path):
    problem = the_problem(write_config(tmp_path, text=MINIMAL + "    smtp_password: hunter2\n"))

    assert (problem.line, problem.key) == (17, "offices[cabinet-martin].smtp_password")
    assert "SMTP_PASSWORD" in problem.fix


def test_a_twilio_section_holding_credentials_is_refused_as_secrets(tmp_path):
    text = MINIMAL + "twilio:\n  account_sid: AC0123456789\n  auth_token: 0123456789abcdef\n"

    problem = the_problem(write_config(tmp_path, text=text))

    assert (problem.line, problem.key) == (17, "twilio")
    assert "TWILIO_ACCOUNT_SID" in problem.fix and "TWILIO_AUTH_TOKEN" in problem.fix


def test_the_secret_itself_never_appears_in_the_error(tmp_path):
    path = write_config(tmp_path, text="twilio_auth_token: s3cr3t-value\n" + MINIMAL)

    with pytest.raises(ConfigError) as raised:
        load_settings(path)

    assert "s3cr3t-value" not in str(raised.value)


# Calendars


def test_a_relative_calendar_path_starts_from_the_configuration_folder_not_the_working_directory(tmp_path, monkeypatch):
    folder = tmp_path / "etc"
    folder.mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")

    settings = load_settings(write_config(folder))

    assert settings.practices[0].calendars[0].location == str(folder / "conges.ics")


def test_a_missing_calendar_file_is_reported_with_its_line_and_full_path(tmp_path):
    problem = the_problem(write_config(tmp_path, ("[conges.ics]", "[vacances.ics]")))

    assert (problem.line, problem.key) == (8, "practices[cabinet-dupont].calendars[0]")
    assert problem.message == f'calendar file "{tmp_path / "vacances.ics"}" does not exist'
    assert "configuration file's folder" in problem.fix


def test_a_missing_calendar_in_a_block_list_is_reported_at_its_own_line(tmp_path):
    path = write_config(tmp_path, ("calendars: [conges.ics]", "calendars:\n      - conges.ics\n      - feries.ics"))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (10, "practices[cabinet-dupont].calendars[1]")


def test_a_missing_calendar_with_a_source_key_is_reported_at_the_source_line(tmp_path):
    path = write_config(tmp_path, ("calendars: [conges.ics]", "calendars:\n      - source: feries.ics\n"
                                   "        only:\n          categories: [Férié]"))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (9, "practices[cabinet-dupont].calendars[0]")


def test_a_calendar_entry_without_a_source_is_reported(tmp_path):
    path = write_config(tmp_path, ("calendars: [conges.ics]", "calendars:\n      - source:"))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (9, "practices[cabinet-dupont].calendars[0].source")


def test_a_calendar_that_is_neither_a_list_nor_a_file_is_refused(tmp_path):
    problem = the_problem(write_config(tmp_path, ("calendars: [conges.ics]", "calendars: {conges: oui}")))

    assert (problem.line, problem.key) == (8, "practices[cabinet-dupont].calendars")


def test_a_single_calendar_file_without_brackets_is_a_list_of_one(tmp_path):
    path = write_config(tmp_path, ("calendars: [conges.ics]", "calendars: conges.ics"))

    assert [c.location for c in load_settings(path).practices[0].calendars] == [str(tmp_path / "conges.ics")]


def test_a_calendar_filter_keeps_its_categories_and_title_words(tmp_path):
    path = write_config(tmp_path, ("calendars: [conges.ics]", "calendars:\n      - source: conges.ics\n"
                                   "        only:\n          categories: [Fermeture, Congés]\n"
                                   "          title_contains: fermé"))

    selection = load_settings(path).practices[0].calendars[0].selection

    assert selection.categories == ("Fermeture", "Congés")
    assert selection.title_contains == ("fermé",)


def test_a_misspelt_calendar_filter_key_is_reported(tmp_path):
    path = write_config(tmp_path, ("calendars: [conges.ics]", "calendars:\n      - source: conges.ics\n"
                                   "        only:\n          category: [Fermeture]"))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (11, "practices[cabinet-dupont].calendars[0].only.category")
    assert problem.fix == 'did you mean "categories"?'


def test_a_webcal_address_becomes_https(tmp_path):
    path = write_config(tmp_path, ("[conges.ics]", "[webcal://p42-caldav.icloud.com/published/2/abc]"))

    source = load_settings(path).practices[0].calendars[0]

    assert source.location == "https://p42-caldav.icloud.com/published/2/abc"
    assert source.label.startswith("https://p42-caldav.icloud.com/…") and "abc" not in source.label


def test_two_calendars_on_one_host_are_told_apart_without_showing_their_secret_addresses(tmp_path):
    path = write_config(tmp_path, ("[conges.ics]", "[https://calendar.google.com/calendar/ical/a%40x/private-1/basic.ics, "
                                   "https://calendar.google.com/calendar/ical/b%40x/private-2/basic.ics]"))

    first, second = load_settings(path).practices[0].calendars

    assert first.label != second.label
    assert "private" not in first.label + second.label and first.line == second.line == 8


def test_an_https_address_is_kept_as_written(tmp_path):
    url = "https://calendar.google.com/calendar/ical/x%40group.calendar.google.com/private-abc/basic.ics"
    path = write_config(tmp_path, ("[conges.ics]", f"[{url}]"))

    assert load_settings(path).practices[0].calendars[0].location == url


def test_a_plain_http_address_is_refused_since_a_private_calendar_address_is_a_password(tmp_path):
    problem = the_problem(write_config(tmp_path, ("[conges.ics]", "[http://agenda.example.fr/conges.ics]")))

    assert (problem.line, problem.key) == (8, "practices[cabinet-dupont].calendars[0]")
    assert problem.message == '"http://" addresses are not read'
    assert "https://" in problem.fix and "webcal://" in problem.fix


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]"])
def test_a_plain_http_address_on_loopback_is_accepted(tmp_path, host):
    path = write_config(tmp_path, ("[conges.ics]", f'["http://{host}:8080/conges.ics"]'))

    assert load_settings(path).practices[0].calendars[0].location == f"http://{host}:8080/conges.ics"


def test_other_address_schemes_are_refused(tmp_path):
    problem = the_problem(write_config(tmp_path, ("[conges.ics]", "[ftp://example.fr/conges.ics]")))

    assert problem.message == '"ftp://" addresses are not read'


# The service section


def test_the_service_section_may_be_left_out(tmp_path):
    service = load_settings(write_config(tmp_path)).service

    assert (service.refresh, service.horizon) == (timedelta(minutes=15), timedelta(days=400))


def test_the_service_section_sets_refresh_horizon_and_public_url(tmp_path):
    text = "service:\n  refresh_minutes: 5\n  horizon_days: 30\n  public_url: https://releve.example.fr/\n" + MINIMAL

    service = load_settings(write_config(tmp_path, text=text)).service

    assert (service.refresh, service.horizon) == (timedelta(minutes=5), timedelta(days=30))
    assert service.public_url == "https://releve.example.fr"


@pytest.mark.parametrize(("line", "bad"), [
    (2, "refresh_minutes: 0"), (2, "refresh_minutes: quinze"), (3, "horizon_days: 10000"),
    (4, "public_url: http://releve.example.fr"), (4, "public_url: https://releve.example.fr/twilio"),
])
def test_a_bad_service_value_is_reported_at_its_line(tmp_path, line, bad):
    lines = ["refresh_minutes: 15", "horizon_days: 400", "public_url: https://releve.example.fr"]
    lines[line - 2] = bad
    text = "service:\n" + "".join(f"  {item}\n" for item in lines) + MINIMAL

    problem = the_problem(write_config(tmp_path, text=text))

    assert (problem.line, problem.key) == (line, f"service.{bad.split(':')[0]}")


# YAML itself, and the file


def test_a_yaml_syntax_error_names_its_line(tmp_path):
    problem = the_problem(write_config(tmp_path, ('["+33 1 45 67 89 10"]', '["+33 1 45 67 89 10"')))

    assert (problem.line, problem.key) == (6, "(syntax)")
    assert problem.message.startswith("not valid YAML")


def test_a_tab_used_for_indentation_names_its_line(tmp_path):
    path = write_config(tmp_path, ("    language: fr-FR\n    calendars", "\tlanguage: fr-FR\n    calendars"))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (7, "(syntax)")


def test_a_key_written_twice_in_one_entry_is_reported_at_the_second_one(tmp_path):
    problem = the_problem(write_config(tmp_path, ("    calendars:", "    timezone: Europe/Paris\n    calendars:")))

    assert (problem.line, problem.key) == (8, "(syntax)")
    assert problem.message == "not valid YAML: duplicate key 'timezone'"


def test_an_empty_file_is_reported(tmp_path):
    problem = the_problem(write_config(tmp_path, text="# rien pour l'instant\n"))

    assert (problem.line, problem.key) == (1, "(top)")
    assert "got nothing" in problem.message


def test_a_file_with_no_practice_is_reported(tmp_path):
    problem = the_problem(write_config(tmp_path, text="practices: []\noffices: []\n"))

    assert (problem.line, problem.key) == (1, "practices")
    assert problem.message == "no practice is configured"


def test_a_missing_file_is_reported_with_the_way_to_point_at_one(tmp_path):
    problem = the_problem(tmp_path / "absent.yaml")

    assert (problem.file, problem.line) == (str(tmp_path / "absent.yaml"), None)
    assert "RELEVE_CONFIG" in problem.fix


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    path = write_config(tmp_path)
    path.write_bytes(MINIMAL.replace("Dupont", "Dupont é").encode("latin-1"))

    problem = the_problem(path)

    assert "UTF-8" in problem.fix


# Every problem at once, never half a configuration


def test_several_independent_mistakes_are_all_reported_in_one_error(tmp_path):
    path = write_config(
        tmp_path,
        ('numbers: ["+33 1 86 95 12 34"]', 'numbers: ["01 86 95 12 34"]'),
        ("timezone: Europe/Paris", "timezone: Europe/Pariss"),
        ("[conges.ics]", "[vacances.ics]"),
        ("closures: [cabinet-martin]", "closures: [cabinet-martn]"),
        ("    kind: partner", "    kind: partner\n    auth_token: abc"),
        ('phone: "+33 1 42 00 11 22"', 'phone: "+33 1 42 00 11"'),
    )

    assert where(problems_of(path)) == [
        (14, "offices[cabinet-martin].auth_token"),
        (16, "offices[cabinet-martin].phone"),
        (4, "practices[cabinet-dupont].numbers"),
        (6, "practices[cabinet-dupont].timezone"),
        (8, "practices[cabinet-dupont].calendars[0]"),
        (10, "practices[cabinet-dupont].coverage.closures"),
    ]


def test_the_error_message_lists_every_problem_with_file_line_key_and_fix(tmp_path):
    path = write_config(tmp_path, ("Europe/Paris", "Europe/Pariss"), ("kind: partner", "knd: partner"))

    with pytest.raises(ConfigError) as raised:
        load_settings(path)

    assert str(raised.value).splitlines() == [
        f'{path}:13: error: offices[cabinet-martin].knd: unknown key',
        '    fix: did you mean "kind"?',
        f'{path}:6: error: practices[cabinet-dupont].timezone: unknown time zone "Europe/Pariss"',
        '    fix: did you mean "Europe/Paris"?',
    ]


def test_a_problem_without_a_line_prints_only_the_file():
    problem = Problem("releve.yaml", None, "(file)", "configuration file not found")

    assert str(problem) == "releve.yaml: error: (file): configuration file not found"


def test_a_warning_prints_as_a_warning():
    problem = Problem("releve.yaml", 3, "practices", "looks odd", "check it", is_warning=True)

    assert str(problem) == "releve.yaml:3: warning: practices: looks odd\n    fix: check it"


def test_the_loader_returns_settings_only_when_every_practice_and_office_made_it(tmp_path):
    # Whatever one-line slip is made, the result is either complete or an error, never a file
    # with a practice or an office quietly left out (a chain would then name a missing office).
    write_config(tmp_path)
    lines = with_second_practice().splitlines(keepends=True)
    for index, line in enumerate(lines):
        key, colon, _ = line.partition(":")
        if not colon or key.strip() in ("practices", "offices", "coverage"):
            continue
        for slip in (f"{key}:\n", f"{key}: []\n", f'{key}: ""\n'):
            text = "".join(lines[:index] + [slip] + lines[index + 1:])
            try:
                settings = parse_settings(text, tmp_path / "releve.yaml")
            except ConfigError:
                continue
            assert [p.id for p in settings.practices] == ["cabinet-dupont", "cabinet-leroy"], slip
            assert list(settings.offices) == ["cabinet-martin"], slip
            for practice in settings.practices:
                settings.chain_offices(practice.closure_chain + practice.after_hours_chain)


def test_a_profession_is_one_of_those_relève_knows_and_a_typo_gets_the_right_one(tmp_path):
    path = write_config(tmp_path, ("    timezone: Europe/Paris\n", "    timezone: Europe/Paris\n    profession: dentiste\n"))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (7, "practices[cabinet-dupont].profession")
    assert 'unknown profession "dentiste"' in problem.message and 'did you mean "dentist"?' in problem.fix


def test_a_vet_gives_the_emergency_line_its_callers_are_sent_to(tmp_path):
    path = write_config(tmp_path, ("    timezone: Europe/Paris\n", "    timezone: Europe/Paris\n    profession: vet\n"
                                   "    emergency_line:\n      name: la clinique de garde\n"
                                   '      phone: "+33 1 45 00 00 01"\n'))

    vet = load_settings(path).practices[0]

    assert (vet.profession, vet.emergency_line.name, vet.emergency_line.phone) == (
        "vet", "la clinique de garde", "+33145000001")


def test_a_name_whose_article_does_not_show_its_gender_may_give_it(tmp_path):
    path = write_config(tmp_path, ("    name: Cabinet dentaire Dupont\n",
                                   "    name:\n      written: Santé Plus\n      spoken: Santé Plus\n"
                                   "      gender: féminin\n"))

    name = load_settings(path).practices[0].name

    assert (name.gender, name.plural) == ("feminine", False)


def test_an_unknown_gender_is_reported_with_the_two_it_may_be(tmp_path):
    path = write_config(tmp_path, ("    name: Cabinet dentaire Dupont\n",
                                   "    name:\n      written: Santé Plus\n      spoken: Santé Plus\n"
                                   "      gender: neutre\n"))

    problem = the_problem(path)

    assert (problem.line, problem.key) == (6, "practices[cabinet-dupont].name.gender")
    assert 'unknown gender "neutre"' in problem.message
    assert "feminine" in problem.fix and "masculine" in problem.fix


def test_a_greeting_that_still_says_reopening_is_warned_about_with_the_words_to_use(tmp_path):
    from config.loader import load_config

    path = write_config(tmp_path, ("    coverage:\n", "    greetings:\n      closed: \"{Practice} est fermé "
                                   "{reopening}. {Office} prend le relais.\"\n    coverage:\n"))

    loaded = load_config(path)

    (warning,) = [p for p in loaded.problems if p.is_warning]
    assert warning.key == "practices[cabinet-dupont].greetings.closed" and warning.line == 10
    assert "heard as closed through that day" in warning.message and "{reopens}" in warning.fix
    assert loaded.settings is not None and "{reopening}" in loaded.settings.practices[0].greetings["closed"]


SERVICE = "service:\n  transcription:\n{body}"


def _with_service(tmp_path, body: str):
    return write_config(tmp_path, text=SERVICE.format(body=body) + MINIMAL)


def test_transcription_is_off_unless_the_host_chooses_an_engine(tmp_path):
    assert load_settings(write_config(tmp_path)).service.transcription.engine == "none"


def test_a_local_engine_needs_a_model_folder_that_holds_a_model(tmp_path):
    problem = the_problem(_with_service(tmp_path, f"    engine: local\n    model: {tmp_path / 'nowhere'}\n"))

    assert problem.key == "service.transcription.model" and problem.line == 4
    assert "no faster-whisper model" in problem.message and "model:" in problem.fix
    (tmp_path / "whisper").mkdir()
    (tmp_path / "whisper" / "model.bin").write_bytes(b"\0")
    settings = load_settings(_with_service(tmp_path, f"    engine: local\n    model: {tmp_path / 'whisper'}\n"))
    assert settings.service.transcription.model == str(tmp_path / "whisper")


@pytest.mark.parametrize(("body", "key", "words"), [
    ("    engine: twillio\n", "service.transcription.engine", 'did you mean "twilio"?'),
    ("    engine: twilio\n", "service.transcription.twilio_services", "twilio_services:"),
    ("    engine: twilio\n    twilio_services:\n      fr-FR: GA123\n", "service.transcription.twilio_services.fr-FR",
     "GA followed by 32"),
])
def test_a_mistaken_transcription_setting_is_named_with_its_fix(tmp_path, body, key, words):
    problem = the_problem(_with_service(tmp_path, body))

    assert problem.key == key and words in problem.fix


def test_twilio_transcribes_with_a_service_per_language(tmp_path):
    sid = "GA" + "0123456789abcdef" * 2
    settings = load_settings(_with_service(tmp_path, f"    engine: twilio\n    twilio_services:\n      fr-FR: {sid}\n"))

    assert settings.service.transcription.services == {"fr-FR": sid}
