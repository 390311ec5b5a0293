"""The practice's pages in headless Chromium, on a phone (390 px) and a desktop (1280 px): signing
in, the page and its timeline, « Fermer maintenant », the contact log with a voicemail that plays,
the callback list ticked and unticked. Nothing is cut off at either width."""
from __future__ import annotations

import io
import os
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.browser import browser_page, serving, sign_in_page, visible_text
from tests.routing.test_practice_space import DUPONT, LUNCH, _user, _voicemail

pytestmark = pytest.mark.browser


def _wav(seconds: float = 1.0) -> bytes:
    """A real recording (silence), so that the browser's audio element has something to load."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(8000)
        file.writeframes(b"\x00\x00" * int(8000 * seconds))
    return out.getvalue()


def _fits(page, width: int) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= width, f"the page is {overflow} px wide at {width} px: something is cut off"


def _shot(page, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize("width", [390, 1280])
def test_a_practice_uses_its_pages_on_a_phone_and_a_desktop(app_with_twilio, twilio_api, clock, tmp_path, width):
    app = app_with_twilio
    _user(app, "accueil@cabinet-dupont.example.fr", DUPONT)
    clock.now = LUNCH
    recording = _voicemail(app, twilio_api, "CA" + "7" * 32, "+33698765432")
    twilio_api.recordings[recording] = _wav()
    clock.now = LUNCH + timedelta(minutes=20)   # 13:05 in Paris: still the lunch break

    with serving(app) as base, browser_page(width=width, height=900) as page:
        sign_in_page(page, base, "accueil@cabinet-dupont.example.fr", "un mot de passe assez long")
        assert page.url == f"{base}/practice/{DUPONT}"
        text = visible_text(page)
        assert "Fermé — Pause déjeuner" in text and "Couvre maintenant : Cabinet du Dr Martin" in text
        assert "La nuit, le soir et le week-end Permanence Accueil Santé" in text
        assert page.locator(".day").count() == 14 and page.locator(".month").count() == 12
        assert page.locator(".day").first.locator(".seg.closed").count() == 1      # today's lunch break
        assert "août 2027" in text and "Congés d'été" in text                       # summer, seen from December
        _fits(page, width)
        _shot(page, f"practice-{width}", tmp_path)

        page.fill("input[name=reason]", "Urgence")
        page.select_option("select[name=chain]", "permanence-sante")
        page.click("#close")
        page.wait_for_load_state()
        assert "Fermé à la main jusqu'à" in visible_text(page) and page.locator("#reopen").count() == 1
        assert page.locator(".day").first.locator(".seg.closed_now").count() >= 1
        _shot(page, f"practice-closed-{width}", tmp_path)
        page.click("#reopen")
        page.wait_for_load_state()
        assert "Fermé à la main" not in visible_text(page)

        page.click("nav.tabs >> text=Journal des contacts")
        page.wait_for_load_state()
        assert "+33 6 98 76 54 32" in visible_text(page)
        duration = page.evaluate("""() => new Promise(done => {
            const audio = document.querySelector('audio');
            audio.addEventListener('loadedmetadata', () => done(audio.duration));
            audio.addEventListener('error', () => done(-1));
            audio.load();
        })""")
        assert duration == pytest.approx(1.0, abs=0.05)
        _fits(page, width)
        _shot(page, f"contacts-{width}", tmp_path)

        page.click("nav.tabs >> text=À rappeler")
        page.wait_for_load_state()
        patient = page.locator("#patient-33698765432")
        assert "à rappeler" in patient.inner_text()
        patient.locator("button.tick").click()
        page.wait_for_load_state()
        assert "Rappelé" in page.locator("#patient-33698765432").inner_text()
        _fits(page, width)
        _shot(page, f"callbacks-{width}", tmp_path)
        page.locator("#patient-33698765432 button.undo").click()
        page.wait_for_load_state()
        assert "à rappeler" in page.locator("#patient-33698765432").inner_text()


def test_signing_in_by_emailed_link_in_the_browser(app_with_twilio, clock):
    from tests.routing.test_practice_space import _practice_messages

    app = app_with_twilio
    _user(app, "dr.dupont@cabinet-dupont.example.fr", DUPONT, password=None)
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    with serving(app) as base, browser_page(width=390) as page:
        page.goto(base + "/sign-in")
        page.fill("#email", "dr.dupont@cabinet-dupont.example.fr")
        page.click("#send-link")
        page.wait_for_load_state()
        assert "un lien de connexion vient de lui être envoyé" in visible_text(page)
        link = next(line for line in _practice_messages(app, "sign_in")[0].body.splitlines() if "/sign-in/link/" in line)
        page.goto(base + link[link.index("/sign-in/link/"):])
        page.click("#use-link")
        page.wait_for_load_state()
        assert page.url == f"{base}/practice/{DUPONT}"
        _fits(page, 390)
