"""The home page, opened in headless Chromium as the host's administrator would open it."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.browser import browser_page, serving, sign_in_page, visible_text
from tests.conftest import sign_in
from tests.reading import reading_of

pytestmark = pytest.mark.browser


def _home(app, path: str = "/", screenshot: str | None = None, tmp_path=None) -> str:
    with serving(app) as base, browser_page() as page:
        sign_in_page(page, base)
        page.goto(base + path)
        text = visible_text(page)
        if screenshot:
            picture = keep_screenshot_of(page, screenshot, tmp_path)
            assert picture.stat().st_size > 10_000  # a real rendering, not a blank page
    return text


def keep_screenshot_of(page, name, tmp_path):
    import os
    from pathlib import Path

    folder = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    return folder / f"{name}.png"


def test_the_home_page_shows_who_covers_the_closed_practice_and_when_it_reopens(app, clock, tmp_path):
    clock.now = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)

    text = _home(app, screenshot="home", tmp_path=tmp_path)

    dupont = text[text.index("Cabinet dentaire Dupont"):text.index("Clinique vétérinaire du Plateau")]
    assert "Fermé — Congés de fin d'année" in dupont
    assert "Couvert par : Cabinet du Dr Martin (+33 1 42 00 11 22), puis Permanence Accueil Santé" in dupont
    assert "Réouverture : samedi 9 janvier 2027 à 9 h" in dupont
    assert "du dimanche 27 décembre 2026 au vendredi 8 janvier 2027" in dupont


def test_the_home_page_shows_an_open_practice_as_open_and_its_plan_for_the_coming_weeks(app, clock):
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Paris

    text = _home(app)

    dupont = text[text.index("Cabinet dentaire Dupont"):text.index("Clinique vétérinaire du Plateau")]
    assert "Ouvert" in dupont and "Fermé —" not in dupont
    assert "Fermetures à venir (42 jours)" in dupont
    assert "Noël" in dupont and "vendredi 25 décembre 2026" in dupont


def test_a_broken_calendar_is_visible_on_the_page(app, clock):
    calendar = app.config["RELEVE_SETTINGS"].practice("cabinet-dupont").calendars[0]
    registry = reading_of(app)
    registry.refresh(clock())
    original = registry.read
    registry.read = lambda location: b"<html>Session expired</html>" if location == calendar.location else original(location)
    registry.refresh(clock())

    text = _home(app, "/?at=2026-12-28T10:00")

    # In the practice's French, with what to do.
    assert ("cabinet-dupont.ics : c'est une page web, pas un calendrier (une page de connexion ou d'erreur ?) — "
            "utilisez l'adresse iCal du calendrier") in text
    assert "this is a web page" not in text
    assert "reste utilisée" in text  # the last good copy is still in use...
    assert "Fermé — Congés de fin d'année" in text  # ...so callers are still covered


def test_without_signing_in_the_home_page_shows_nothing_but_the_sign_in_form(app, clock):
    with serving(app) as base, browser_page() as page:
        page.goto(base + "/")
        text = visible_text(page)
        url = page.url

    assert "/sign-in" in url
    assert "Connexion" in text and "Cabinet dentaire Dupont" not in text


def test_the_preview_at_a_given_instant_rejects_a_malformed_date(client):
    sign_in(client)
    answer = client.get("/?at=28-12-2026")

    assert answer.status_code == 400
    assert b"2026-12-28T10:00" in answer.data


def test_a_wrong_password_is_refused_and_says_so(client):
    answer = sign_in(client, password="wrong")

    assert answer.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302
