"""The pages people look at, opened in headless Chromium in each language: the host's pages in the
browser's language, a practice's pages in the practice's own (fr-FR, fr-CA, en-GB), with no word
of another language and French typography where French is written."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from config.settings import Name
from tests.browser import ADMIN_PASSWORD, ADMIN_USER, browser_page, serving, sign_in_page, visible_text
from tests.conftest import build_app
from tests.routing.test_practice_space import DUPONT, PASSWORD, PLATEAU, _user

pytestmark = pytest.mark.browser

FRENCH_ONLY = ("Se déconnecter", "Tous les cabinets", "Utilisateurs", "Messages envoyés", "Horaires", "Fermeture",
               "Calendriers", "Aucun", "Réouverture", " : ")
ENGLISH_ONLY = ("Sign out", "All practices", "Users", "Messages sent", "Opening hours", "Calendars", "Reopens")


def _pages(app, locale: str, paths: list[str], *who: str) -> list[tuple[int, str, str]]:
    """Sign in (as `who`, else the administrator) in a browser speaking `locale`; each path's
    status, visible words, and its text as shown (no-break spaces kept)."""
    found = []
    with serving(app) as base, browser_page(locale=locale) as page:
        sign_in_page(page, base, *who)
        for path in paths:
            answer = page.goto(base + path)
            found.append((answer.status, visible_text(page), page.inner_text("body")))
    return found


@pytest.fixture
def app_with_admin(app):
    from werkzeug.security import generate_password_hash
    app.config.update(RELEVE_ADMIN_USER=ADMIN_USER, RELEVE_ADMIN_PASSWORD=generate_password_hash(ADMIN_PASSWORD))
    return app


@pytest.mark.parametrize(("locale", "words", "by_link"), [
    ("fr-FR", ("Tous les cabinets", "Utilisateurs", "Messages envoyés", "Ajouter un utilisateur"), "lien par email"),
    ("fr-CA", ("Tous les cabinets", "Utilisateurs", "Messages envoyés", "Ajouter un utilisateur"), "lien par courriel"),
    ("en-US", ("All practices", "Users", "Messages sent", "Add a user"), "link by email"),
])
def test_the_hosts_pages_speak_the_browsers_language(app_with_admin, locale, words, by_link):
    _user(app_with_admin, "accueil@cabinet-dupont.example.fr", DUPONT, password=None)

    (home_status, home, _), (users_status, users, _) = _pages(app_with_admin, locale, ["/", "/admin/users"])

    assert home_status == users_status == 200
    assert words[0] in home and words[1] in home and words[2] in home
    assert words[3] in users and by_link in users
    if locale.startswith("en"):
        # The practices' own cards stay in their French; the host's words are all English.
        host_words = users + home[home.index("Messages sent"):]
        assert not [w for w in FRENCH_ONLY if w in host_words], host_words
    else:
        assert not [w for w in ENGLISH_ONLY if w in users], users


def _english_app(example_settings, tmp_path, clock, database_url):
    dupont = example_settings.practice(DUPONT)
    english = replace(dupont, language="en-GB", name=Name("Dupont Dental Surgery", "Dupont Dental Surgery"))
    settings = replace(example_settings, practices=tuple(english if p.id == DUPONT else p
                                                         for p in example_settings.practices))
    return build_app(settings, tmp_path / "data", clock, RELEVE_DATABASE_URL=database_url)


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_a_practices_pages_are_in_its_language_whatever_the_browser_says(app, locale):
    _user(app, "accueil@clinique-plateau.example.ca", PLATEAU)
    paths = [f"/practice/{PLATEAU}", f"/practice/{PLATEAU}/callbacks", f"/practice/{PLATEAU}/contacts"]

    pages = _pages(app, locale, paths, "accueil@clinique-plateau.example.ca", PASSWORD)

    for (status, text, shown), path in zip(pages, paths, strict=True):
        assert status == 200, path
        assert "Se déconnecter" in text and not [w for w in ENGLISH_ONLY if w in text], (path, text)
        # French typography: never an ordinary space before « : ; ! ? », nor inside « 8 h 30 ».
        assert not re.search(r"[ \n][:;!?»]|\d h |\d h\b", shown), (path, re.findall(r".{0,60}[ \n][:;!?»].{0,40}", shown))
    print(pages[0][1])


def test_an_english_practices_pages_are_all_english(example_settings, tmp_path, clock, database_url):
    app = _english_app(example_settings, tmp_path, clock, database_url)
    _user(app, "reception@dupont-dental.example.co.uk", DUPONT)
    paths = [f"/practice/{DUPONT}", f"/practice/{DUPONT}/callbacks", f"/practice/{DUPONT}/contacts"]

    pages = _pages(app, "fr-FR", paths, "reception@dupont-dental.example.co.uk", PASSWORD)

    for (status, text, _), path in zip(pages, paths, strict=True):
        assert status == 200, path
        assert "Sign out" in text, (path, text)
        assert not [w for w in FRENCH_ONLY if w in text], (path, text)
    print(pages[0][1])


BROKEN_EVENT = b"""BEGIN:VEVENT\r
UID:sans-debut@clinique-plateau\r
SUMMARY:Formation chirurgie\r
DTEND;VALUE=DATE:20270302\r
END:VEVENT\r
"""


def test_a_practice_reads_what_is_wrong_with_its_calendars_in_its_own_french(app, clock):
    from tests.reading import reading_of

    plateau = app.config["RELEVE_SETTINGS"].practice(PLATEAU)
    own, holidays = plateau.calendars[0], plateau.calendars[1]
    registry = reading_of(app)
    registry.refresh(clock())
    original = registry.read

    def read(location):
        if location == own.location:
            return original(location).replace(b"END:VCALENDAR", BROKEN_EVENT + b"END:VCALENDAR")
        if location == holidays.location:
            return b"<html>Session expired</html>"
        return original(location)

    registry.read = read
    registry.refresh(clock())
    _user(app, "accueil@clinique-plateau.example.ca", PLATEAU)

    ((status, text, shown),) = _pages(app, "en-US", [f"/practice/{PLATEAU}"], "accueil@clinique-plateau.example.ca",
                                      PASSWORD)

    assert status == 200
    assert ("c'est une page web, pas un calendrier (une page de connexion ou d'erreur ?) — utilisez l'adresse iCal "
            "du calendrier") in text
    assert "Événements ignorés" in text
    assert f"{own.label}, ligne" in text and "événement « Formation chirurgie » : ignoré : il n'a pas de début (DTSTART)" in text
    assert "this is a web page" not in text and "skipped" not in text
    assert "il n'a pas de début\u00a0(DTSTART)" not in shown and "ignoré\u00a0: il" in shown
