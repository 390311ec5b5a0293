"""The configuration inside the app, and `flask config check` run as a practice or a host would."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from tests.conftest import EXAMPLE_CONFIG, sign_in


def example_copy(folder: Path, *changes: tuple[str, str]) -> Path:
    """A copy of the bundled example (configuration and calendars) with each (old, new) change made."""
    shutil.copytree(EXAMPLE_CONFIG.parent, folder, dirs_exist_ok=True)
    path = folder / "releve.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} must appear exactly once to be changed"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    """The 1-based line of the only line of `path` holding `fragment`."""
    lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if fragment in line]
    assert len(lines) == 1, fragment
    return lines[0]


def app_on(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Flask:
    """The app as `flask --app app` builds it: the configuration named by RELEVE_CONFIG."""
    monkeypatch.setenv("RELEVE_CONFIG", str(path))
    return create_app(None, {"TESTING": True, "RELEVE_BACKGROUND_REFRESH": False,
                             "RELEVE_DATA_DIR": str(tmp_path / "data")})


def test_config_check_passes_on_the_bundled_example(monkeypatch, tmp_path):
    app = app_on(EXAMPLE_CONFIG, monkeypatch, tmp_path)

    result = app.test_cli_runner().invoke(args=["config", "check"])

    assert result.exit_code == 0, result.output
    assert f"configuration: {EXAMPLE_CONFIG}" in result.output
    assert "2 practice(s), 4 covering office(s)" in result.output
    for name in ("cabinet-dupont", "jours-feries-france", "clinique-plateau", "jours-feries-quebec"):
        assert f"ok: {name}.ics:" in result.output
    assert result.output.rstrip().endswith("configuration and calendars are usable.")


def test_config_check_lists_every_error_with_its_file_and_line_and_exits_1(monkeypatch, tmp_path):
    path = example_copy(
        tmp_path / "etc",
        ("timezone: Europe/Paris", "timezone: Europe/Pariss"),
        ('phone: "+1 514 527 9301"', 'phone: "514 527 9301"'),
        ("closures: [clinique-rosemont, relais-quebec]", "closures: [clinique-rosemont, relais-quebek]"),
        ("      saturday: [\"09:00-13:00\"]", "      samedi: [\"09:00-13:00\"]"),
    )

    result = app_on(path, monkeypatch, tmp_path).test_cli_runner().invoke(args=["config", "check"])

    assert result.exit_code == 1
    expected = [
        (line_of(path, "Europe/Pariss"), "practices[cabinet-dupont].timezone"),
        (line_of(path, '"514 527 9301"'), "offices[clinique-rosemont].phone"),
        (line_of(path, "relais-quebek"), "practices[clinique-plateau].coverage.closures"),
        (line_of(path, "samedi"), "practices[clinique-plateau].opening_hours.samedi"),
    ]
    for line, key in expected:
        assert f"{path}:{line}: error: {key}: " in result.output
    assert "+15145279301" in result.output  # the national number's E.164 form, as a hint
    assert 'did you mean "relais-quebec"?' in result.output
    assert "4 error(s): nothing else was checked" in result.stderr
    assert "ok:" not in result.output  # no calendar is read on a configuration that cannot be used


def test_config_check_names_a_calendar_file_that_holds_a_web_page_and_exits_1(monkeypatch, tmp_path):
    path = example_copy(tmp_path / "etc")
    (path.parent / "jours-feries-quebec.ics").write_text(
        "<!DOCTYPE html>\n<html><head><title>Connexion</title></head><body>Session expirée</body></html>\n",
        encoding="utf-8")

    result = app_on(path, monkeypatch, tmp_path).test_cli_runner().invoke(args=["config", "check"])

    assert result.exit_code == 1
    assert "error: jours-feries-quebec.ics: this is a web page, not a calendar" in result.stderr
    assert "ok: clinique-plateau.ics:" in result.output  # the other calendars are still checked
    assert "1 error(s)." in result.stderr


def test_config_check_on_a_missing_file_says_how_to_point_at_one(monkeypatch, tmp_path):
    app = app_on(tmp_path / "absent.yaml", monkeypatch, tmp_path)

    result = app.test_cli_runner().invoke(args=["config", "check"])

    assert result.exit_code == 1
    assert f"{tmp_path / 'absent.yaml'}: error: (file): configuration file not found" in result.output
    assert "RELEVE_CONFIG" in result.output


def _worker_reads(app: Flask) -> None:
    """What the worker does at its start: the configuration, then the calendars."""
    from coverage.flask import make_refresher, reload_config

    with app.app_context():
        refresher = make_refresher(app, processes=0)
        reload_config(app)
        refresher.refresh(app.config["RELEVE_CLOCK"]())


def test_a_web_process_starts_without_reading_the_configuration_the_worker_does(monkeypatch, tmp_path):
    app = app_on(EXAMPLE_CONFIG, monkeypatch, tmp_path)
    assert app.config["RELEVE_SETTINGS"] is None  # the YAML of a large host takes seconds: not here

    _worker_reads(app)

    with app.app_context():
        from coverage.flask import snapshots

        assert [view.practice.id for view in snapshots().views()] == ["cabinet-dupont", "clinique-plateau"]
        assert snapshots().directory().problems == ()


def test_a_broken_practice_is_named_and_the_others_are_read(monkeypatch, tmp_path):
    path = example_copy(tmp_path / "etc", ("language: fr-CA\n    calendars", "language: québécois\n    calendars"))
    app = app_on(path, monkeypatch, tmp_path)

    _worker_reads(app)

    with app.app_context():
        from coverage.flask import snapshots

        directory = snapshots().directory()
        assert [view.practice.id for view in snapshots().views()] == ["cabinet-dupont"]
    (problem,) = directory.problems
    assert str(problem).startswith(f"{path}:{line_of(path, 'québécois')}: error: practices[clinique-plateau].language")
    # The host's page says it in the browser's language, with the fix.
    from werkzeug.security import generate_password_hash

    from tests.browser import ADMIN_PASSWORD, ADMIN_USER
    app.config.update(RELEVE_ADMIN_USER=ADMIN_USER, RELEVE_ADMIN_PASSWORD=generate_password_hash(ADMIN_PASSWORD))
    client = app.test_client()
    sign_in(client)
    french = client.get("/").get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    line = line_of(path, "québécois")
    assert (f"ligne {line}\u00a0: erreur\u00a0: practices[clinique-plateau].language\u00a0: langue inconnue "
            "«\u00a0québécois\u00a0» — Relève parle fr-FR, fr-CA") in french
    assert f'line {line}: error: practices[clinique-plateau].language: unknown language "québécois"' in english.replace(
        "&#34;", '"')