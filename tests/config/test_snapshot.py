"""The settings the worker stores for web processes come back as they were written."""
from __future__ import annotations

from dataclasses import replace

from config.loader import load_settings
from config.settings import Name
from config.snapshot import practice_from_json, settings_from_json, settings_of_practice
from tests.conftest import EXAMPLE_CONFIG


def test_every_practice_of_the_example_comes_back_from_the_database_as_it_was_configured():
    settings = load_settings(EXAMPLE_CONFIG)
    for practice in settings.practices:
        offices = set(practice.closure_chain) | set(practice.after_hours_chain)
        stored = settings_from_json(settings_of_practice(settings, practice, offices))

        assert stored.practices == (practice,)
        assert {o: stored.offices[o] for o in offices} == {o: settings.offices[o] for o in offices}


def test_a_name_keeps_its_gender_and_one_stored_before_genders_existed_still_reads():
    settings = load_settings(EXAMPLE_CONFIG)
    practice = replace(settings.practices[0], name=Name("Santé Plus", "Santé Plus", "feminine", True))
    stored = settings_of_practice(settings, practice, set(practice.closure_chain))

    assert settings_from_json(stored).practices[0].name == practice.name
    stored["practice"]["name"] = ["Santé Plus", "Santé Plus"]
    assert practice_from_json(stored["practice"]).name == Name("Santé Plus", "Santé Plus")
