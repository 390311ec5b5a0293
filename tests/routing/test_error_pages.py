"""Error pages, opened in headless Chromium in each language: in the language of the page asked
for (the practice's, the office's), else the browser's, and saying what to do."""
from __future__ import annotations

import pytest

from tests.browser import ADMIN_PASSWORD, ADMIN_USER, browser_page, serving, sign_in_page, visible_text
from tests.routing.test_practice_space import DUPONT, PASSWORD, PLATEAU, _user

pytestmark = pytest.mark.browser


@pytest.fixture
def app_with_admin(app):
    from werkzeug.security import generate_password_hash
    app.config.update(RELEVE_ADMIN_USER=ADMIN_USER, RELEVE_ADMIN_PASSWORD=generate_password_hash(ADMIN_PASSWORD))
    return app


@pytest.mark.parametrize(("locale", "title", "help_words"), [
    ("fr-FR", "Page introuvable", "Ouvrez le dernier email ou SMS de Relève"),
    ("fr-CA", "Page introuvable", "Ouvrez le dernier courriel ou texto de Relève"),
    ("en-US", "Page not found", "Open the latest email or text from Relève"),
])
def test_a_wrong_or_tampered_link_says_what_to_do_in_the_browsers_language(app, locale, title, help_words):
    with serving(app) as base, browser_page(locale=locale) as page:
        answer = page.goto(base + "/briefing/not-a-real-token")
        text = visible_text(page)

    assert answer.status == 404
    assert title in text and help_words in text
    assert page_lang_matches(text, locale)


def page_lang_matches(text: str, locale: str) -> bool:
    english = "Sign out" in text or "Calls covered" in text
    return english == locale.startswith("en")


def _signed_in_page(app, locale: str, path: str, *who: str) -> tuple[int, str]:
    """Sign in (as `who`, else the administrator) in a browser speaking `locale`, open `path`:
    its status and its words."""
    with serving(app) as base, browser_page(locale=locale) as page:
        sign_in_page(page, base, *who)
        answer = page.goto(base + path)
        return answer.status, visible_text(page)


def test_a_practices_own_error_page_is_in_its_language_whatever_the_browser_says(app):
    _user(app, "accueil@clinique-plateau.example.ca", PLATEAU)
    status, text = _signed_in_page(app, "en-US", f"/practice/{PLATEAU}/contacts?day=lundi",
                                   "accueil@clinique-plateau.example.ca", PASSWORD)

    assert status == 400
    assert "« lundi » n'est pas un jour : écrivez-le 2026-12-28" in text
    assert "Revenez en arrière, vérifiez ce que vous avez saisi et réessayez." in text
    assert "Se déconnecter" in text


@pytest.mark.parametrize(("locale", "expected"), [
    ("fr-FR", "« hier » n'est pas une date et une heure : écrivez-la ?at=2026-12-28T10:00"),
    ("en-GB", "“hier” is not a date and time: write it as ?at=2026-12-28T10:00")])
def test_a_bad_instant_on_the_hosts_page_says_how_to_write_it(app_with_admin, locale, expected):
    status, text = _signed_in_page(app_with_admin, locale, "/?at=hier")

    assert status == 400 and expected in text


def test_a_page_of_another_practice_is_not_found_in_the_users_language(app):
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT)
    status, text = _signed_in_page(app, "fr-FR", f"/practice/{PLATEAU}", "accueil@cabinet-dupont.example.fr", PASSWORD)

    assert status == 404 and "Page introuvable" in text and "Plateau" not in text
