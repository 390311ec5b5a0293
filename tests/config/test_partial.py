"""A configuration with a mistake in one practice still gives every other practice; a folder of
files reads as one configuration."""
from __future__ import annotations

import shutil

from config.loader import load_config
from tests.conftest import EXAMPLE_CONFIG


def _example(tmp_path, old: str = "", new: str = ""):
    for file in EXAMPLE_CONFIG.parent.iterdir():
        shutil.copy(file, tmp_path / file.name)
    text = (tmp_path / "releve.yaml").read_text(encoding="utf-8")
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    (tmp_path / "releve.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "releve.yaml"


def test_a_typo_in_one_practice_leaves_it_out_and_names_it_while_the_others_load(tmp_path):
    loaded = load_config(_example(tmp_path, "timezone: America/Montreal", "timezone: America/Montreall"))

    assert [p.id for p in loaded.settings.practices] == ["cabinet-dupont"]
    assert loaded.broken == {"clinique-plateau"}
    [error] = loaded.errors
    assert error.key == "practices[clinique-plateau].timezone" and 'did you mean "America/Montreal"' in error.fix


def test_an_office_with_a_mistake_takes_the_practices_that_name_it_along(tmp_path):
    loaded = load_config(_example(tmp_path, 'phone: "+1 514 527 9301"', 'phone: "514 527 9301"'))

    assert [p.id for p in loaded.settings.practices] == ["cabinet-dupont"]
    assert loaded.broken == {"clinique-plateau"} and loaded.broken_offices == {"clinique-rosemont"}


def test_a_mistake_outside_any_practice_refuses_the_whole_file(tmp_path):
    loaded = load_config(_example(tmp_path, "refresh_minutes: 15", "refresh_minutes: quinze"))

    assert loaded.settings is None
    assert loaded.errors[0].key == "service.refresh_minutes"


def test_a_folder_of_files_reads_as_one_configuration_one_file_per_practice(tmp_path):
    config = _example(tmp_path)
    text = config.read_text(encoding="utf-8")
    head, rest = text.split("practices:\n", 1)
    practices, offices = rest.split("offices:\n", 1)
    dupont, plateau = practices.split("\n  - id: clinique-plateau", 1)
    folder = tmp_path / "conf.d"
    folder.mkdir()
    for name in ("cabinet-dupont.ics", "clinique-plateau.ics", "jours-feries-france.ics", "jours-feries-quebec.ics"):
        shutil.copy(tmp_path / name, folder / name)
    (folder / "00-service.yaml").write_text(head + "offices:\n" + offices, encoding="utf-8")
    (folder / "cabinet-dupont.yaml").write_text("practices:\n" + dupont, encoding="utf-8")
    (folder / "clinique-plateau.yaml").write_text("practices:\n  - id: clinique-plateau" + plateau, encoding="utf-8")

    loaded = load_config(folder)

    assert loaded.problems == ()
    assert [p.id for p in loaded.settings.practices] == ["cabinet-dupont", "clinique-plateau"]
    assert set(loaded.settings.offices) == {"cabinet-martin", "permanence-sante", "clinique-rosemont", "relais-quebec"}

    (folder / "cabinet-dupont.yaml").write_text("practices:\n" + dupont.replace("fr-FR", "fr-XX"), encoding="utf-8")
    broken = load_config(folder)
    assert [p.id for p in broken.settings.practices] == ["clinique-plateau"]
    assert broken.errors[0].file.endswith("cabinet-dupont.yaml")


def test_the_workers_log_names_each_mistake_with_its_file_and_line_and_the_practice_left_out(tmp_path):
    from config.reload import REPORTED_PROBLEMS, merge, report

    path = _example(tmp_path, "timezone: America/Montreal", "timezone: America/Montreall")
    lines = report(merge(None, load_config(path)))

    assert any(f"{path}:" in line and "America/Montreall" in line and 'did you mean "America/Montreal"' in line
               for line in lines), lines
    many = "\n".join(f"  - id: extra-{i}\n    nmae: x" for i in range(REPORTED_PROBLEMS + 5))
    text = path.read_text(encoding="utf-8").replace("\noffices:", f"\n{many}\n\noffices:", 1)
    path.write_text(text, encoding="utf-8")
    lines = report(merge(None, load_config(path)))
    assert "config check` lists them all" in lines[REPORTED_PROBLEMS] and len(lines) < 2 * REPORTED_PROBLEMS
