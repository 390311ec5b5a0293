"""The command line a practice or a host uses: coverage at, coverage plan, calendars show."""
from __future__ import annotations

import json
from datetime import datetime

from tests.conftest import EXAMPLE_CONFIG


def test_coverage_at_during_the_vacation_names_the_reason_the_offices_and_the_reopening_in_french(app):
    result = app.test_cli_runner().invoke(args=["coverage", "at", "2026-12-28T10:00", "--practice", "cabinet-dupont"])

    assert result.exit_code == 0, result.output
    assert "lundi 28 décembre 2026 à 10 h" in result.output
    assert "Fermé: Congés de fin d'année" in result.output
    assert "Cabinet du Dr Martin (+33 1 42 00 11 22), puis Permanence Accueil Santé" in result.output
    assert "Réouverture: samedi 9 janvier 2027 à 9 h" in result.output


def test_coverage_at_reads_a_time_without_offset_as_the_practice_s_own_wall_clock(app):
    result = app.test_cli_runner().invoke(args=["coverage", "at", "2026-12-28T10:00", "--practice", "clinique-plateau"])

    assert "2026-12-28T10:00:00-05:00" in result.output
    assert "Vacances des Fêtes" in result.output and "Clinique vétérinaire Rosemont" in result.output


def test_coverage_at_an_unknown_practice_says_which_ones_exist(app):
    result = app.test_cli_runner().invoke(args=["coverage", "at", "now", "--practice", "dupond"])

    assert result.exit_code != 0
    assert "cabinet-dupont" in result.output and "clinique-plateau" in result.output


def test_coverage_at_a_malformed_instant_shows_the_expected_form(app):
    result = app.test_cli_runner().invoke(args=["coverage", "at", "28/12/2026", "--practice", "cabinet-dupont"])

    assert result.exit_code != 0 and "2026-12-28T10:00" in result.output


def test_coverage_plan_lists_the_year_end_closure_once_and_the_lunch_breaks_as_one_series(app, clock):
    clock.now = datetime.fromisoformat("2026-12-20T08:00:00+00:00")
    result = app.test_cli_runner().invoke(args=["coverage", "plan", "--practice", "cabinet-dupont", "--days", "30"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum("Congés de fin d'année:" in line for line in lines) == 1
    assert sum("Pause déjeuner:" in line for line in lines) == 1
    assert "Jour de l'an" not in result.output  # inside the vacation: nothing to add
    assert "du dimanche 27 décembre 2026 au vendredi 8 janvier 2027" in result.output


def test_calendars_show_json_gives_iso_instants_with_offsets(app):
    result = app.test_cli_runner().invoke(args=[
        "calendars", "show", str(EXAMPLE_CONFIG.parent / "cabinet-dupont.ics"),
        "--tz", "Europe/Paris", "--from", "2026-12-01", "--to", "2027-01-15", "--json"])

    assert result.exit_code == 0, result.output
    closures = json.loads(result.output)
    vacation = next(c for c in closures if c["summary"] == "Congés de fin d'année")
    assert vacation["start"] == "2026-12-27T00:00:00+01:00"
    assert vacation["end"] == "2027-01-09T00:00:00+01:00"
    assert vacation["uid"] == "4k2m8v0q1c7r3t5n9b6x2z4d1f@google.com"
    assert vacation["offices"] == ["Cabinet du Dr Martin", "Permanence Accueil Santé"]
    assert all(set(c) >= {"start", "end", "summary", "uid"} for c in closures)


def test_calendars_show_uses_the_calendar_s_own_zone_by_default(app):
    result = app.test_cli_runner().invoke(args=[
        "calendars", "show", str(EXAMPLE_CONFIG.parent / "cabinet-dupont.ics"), "--from", "2026-12-01", "--to", "2026-12-02"])

    assert "times in Europe/Paris" in result.output
    assert "2026-12-01 12:30 to 2026-12-01 14:00  Pause déjeuner" in result.output


def test_calendars_show_on_a_web_page_fails_with_the_fix(app, tmp_path):
    page = tmp_path / "agenda.ics"
    page.write_text("<!DOCTYPE html><html><body>Sign in</body></html>")

    result = app.test_cli_runner().invoke(args=["calendars", "show", str(page)])

    assert result.exit_code == 1
    assert "web page" in result.output and "iCal address" in result.output
