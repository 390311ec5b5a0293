"""The home page, opened in headless Chromium as a practice would open it."""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from tests.browser import dump_dom, keep_screenshot, serving

pytestmark = pytest.mark.browser


def _text(dom: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom)))


def test_the_home_page_shows_who_covers_the_closed_practice_and_when_it_reopens(app, clock, tmp_path):
    clock.now = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)

    with serving(app) as base:
        text = _text(dump_dom(base + "/"))
        picture = keep_screenshot(base + "/", "home", tmp_path)

    dupont = text[text.index("Cabinet dentaire Dupont"):text.index("Clinique vétérinaire du Plateau")]
    assert "Fermé — Congés de fin d'année" in dupont
    assert "Couvert par : Cabinet du Dr Martin (+33 1 42 00 11 22), puis Permanence Accueil Santé" in dupont
    assert "Réouverture : samedi 9 janvier 2027 à 9 h" in dupont
    assert "du dimanche 27 décembre 2026 au vendredi 8 janvier 2027" in dupont
    assert picture.stat().st_size > 10_000  # a real rendering, not a blank page


def test_the_home_page_shows_an_open_practice_as_open_and_its_plan_for_the_coming_weeks(app, clock):
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Paris

    with serving(app) as base:
        text = _text(dump_dom(base + "/"))

    dupont = text[text.index("Cabinet dentaire Dupont"):text.index("Clinique vétérinaire du Plateau")]
    assert "Ouvert" in dupont and "Fermé —" not in dupont
    assert "Fermetures à venir (42 jours)" in dupont
    assert "Noël" in dupont and "vendredi 25 décembre 2026" in dupont


def test_a_broken_calendar_is_visible_on_the_page(app, clock, tmp_path):
    calendar = app.config["RELEVE_SETTINGS"].practice("cabinet-dupont").calendars[0]
    registry = app.extensions["releve.registry"]
    registry.refresh(clock())
    original = registry.read
    registry.read = lambda location: b"<html>Session expired</html>" if location == calendar.location else original(location)
    registry.refresh(clock())

    with serving(app) as base:
        text = _text(dump_dom(base + "/?at=2026-12-28T10:00"))

    assert "cabinet-dupont.ics : this is a web page, not a calendar" in text
    assert "reste utilisée" in text  # the last good copy is still in use...
    assert "Fermé — Congés de fin d'année" in text  # ...so callers are still covered


def test_the_preview_at_a_given_instant_rejects_a_malformed_date(client):
    answer = client.get("/?at=28-12-2026")

    assert answer.status_code == 400
    assert b"2026-12-28T10:00" in answer.data
