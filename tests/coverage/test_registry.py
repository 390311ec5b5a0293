"""The registry keeps the last good calendar and the last good configuration."""
from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from config import load_settings
from config.settings import CalendarSource
from tests.builders import PARIS, practice, settings, vcalendar, vevent
from tests.conftest import EXAMPLE_CONFIG
from tests.reading import Reading

NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)
DURING_VACATION = datetime(2026, 12, 28, 10, tzinfo=PARIS)


def _registry_on(calendar_file: Path, cache: Path | None) -> Reading:
    config = settings(practice(calendars=(CalendarSource(str(calendar_file)),)))
    return Reading(config, cache_dir=cache)


def _write_vacation(path: Path) -> None:
    path.write_bytes(vcalendar(vevent("Congés", date(2026, 12, 27), date(2027, 1, 9))))


def test_a_calendar_that_becomes_unreadable_keeps_its_last_good_copy_and_says_so(tmp_path):
    calendar = tmp_path / "cabinet.ics"
    _write_vacation(calendar)
    registry = _registry_on(calendar, tmp_path / "cache")
    registry.refresh(NOW)

    calendar.write_text("<html><body>Connexion requise</body></html>")
    registry.refresh(NOW)

    assert registry.answer("dupont", DURING_VACATION).reason == "Congés"
    status = registry.state("dupont").sources[0]
    assert status.error is not None and "web page" in status.error.message
    assert status.is_in_use and status.read_at == NOW


def test_the_last_good_copy_survives_a_restart(tmp_path):
    calendar = tmp_path / "cabinet.ics"
    _write_vacation(calendar)
    _registry_on(calendar, tmp_path / "cache").refresh(NOW)
    calendar.unlink()

    restarted = _registry_on(calendar, tmp_path / "cache")
    restarted.refresh(NOW)

    assert restarted.answer("dupont", DURING_VACATION).reason == "Congés"
    assert restarted.state("dupont").sources[0].error is not None


def test_a_calendar_never_read_is_an_error_with_no_copy_in_use(tmp_path):
    registry = _registry_on(tmp_path / "missing.ics", tmp_path / "cache")
    registry.refresh(NOW)

    status = registry.state("dupont").sources[0]
    assert status.error is not None and not status.is_in_use
    assert registry.answer("dupont", DURING_VACATION).is_open  # nothing known: no invented closure


def _registry_on_a_copy_of_the_example(tmp_path: Path) -> tuple[Reading, Path]:
    folder = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, folder)
    path = folder / "releve.yaml"
    registry = Reading(load_settings(path))
    registry.refresh(NOW)
    return registry, path


def _break_the_time_zone(registry: Reading, path: Path):
    path.write_text(path.read_text().replace("timezone: Europe/Paris", "timezone: Europe/Pariss"))
    return registry.reload_config(path, NOW)


def test_a_reload_that_breaks_one_practice_keeps_its_last_good_version_and_shows_why(tmp_path):
    registry, path = _registry_on_a_copy_of_the_example(tmp_path)

    reloaded = _break_the_time_zone(registry, path)

    assert reloaded.kept == ("cabinet-dupont",) and not reloaded.is_refused
    assert registry.settings is not None and registry.settings.practice("cabinet-dupont").timezone.key == "Europe/Paris"
    assert registry.answer("cabinet-dupont", DURING_VACATION).reason == "Congés de fin d'année"
    assert any(p.key == "practices[cabinet-dupont].timezone" for p in registry.config_problems)


def test_a_reload_that_breaks_the_whole_file_keeps_everything_as_it_was(tmp_path):
    registry, path = _registry_on_a_copy_of_the_example(tmp_path)
    path.write_text(path.read_text().replace("refresh_minutes: 15", "refresh_minutes: [15"))

    reloaded = registry.reload_config(path, NOW)

    assert reloaded.is_refused
    assert [p.id for p in registry.settings.practices] == ["cabinet-dupont", "clinique-plateau"]
    assert registry.answer("cabinet-dupont", DURING_VACATION).reason == "Congés de fin d'année"


def test_a_good_configuration_reload_takes_effect_and_clears_the_problems(tmp_path):
    registry, path = _registry_on_a_copy_of_the_example(tmp_path)
    _break_the_time_zone(registry, path)

    path.write_text(path.read_text().replace("closures: [cabinet-martin, permanence-sante]",
                                             "closures: [permanence-sante]").replace("Europe/Pariss", "Europe/Paris"))
    assert registry.reload_config(path, NOW).kept == ()

    assert registry.config_problems == ()
    lunch_break = datetime(2026, 11, 25, 13, tzinfo=PARIS)  # covered by the default chain
    assert registry.answer("cabinet-dupont", lunch_break).chain == ("permanence-sante",)


def test_a_calendar_edited_between_two_refreshes_is_read_anew(tmp_path):
    calendar = tmp_path / "cabinet.ics"
    _write_vacation(calendar)
    registry = _registry_on(calendar, tmp_path / "cache")
    registry.refresh(NOW)
    registry.refresh(NOW)  # unchanged: the expansion and the schedule are reused

    calendar.write_bytes(vcalendar(vevent("Congés prolongés", date(2026, 12, 27), date(2027, 1, 16))))
    registry.refresh(NOW)

    answer = registry.answer("dupont", datetime(2027, 1, 12, 10, tzinfo=PARIS))
    assert answer.reason == "Congés prolongés"
    assert answer.reopens_at == datetime(2027, 1, 16, 0, 0, tzinfo=PARIS)  # no opening hours configured


def test_refreshing_weeks_later_expands_the_recurrences_that_come_into_the_horizon(tmp_path):
    calendar = tmp_path / "cabinet.ics"
    calendar.write_bytes(vcalendar(vevent("Pause déjeuner", datetime(2026, 11, 2, 12, 30, tzinfo=PARIS),
                                          datetime(2026, 11, 2, 14, tzinfo=PARIS), lines=("RRULE:FREQ=DAILY",))))
    registry = _registry_on(calendar, None)
    registry.refresh(NOW)
    far = NOW + timedelta(days=400 + 20)

    assert registry.answer("dupont", far.replace(hour=11, minute=45)).is_open  # beyond what was read: unknown
    registry.refresh(NOW + timedelta(days=30))

    assert registry.answer("dupont", far.replace(hour=11, minute=45)).reason == "Pause déjeuner"
