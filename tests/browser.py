"""Headless Chromium (Debian's `chromium` package) for the pages people look at."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

# Without the networking flags Chromium tries to reach Google's services at start; this machine
# has no network, and tests must never try.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--hide-scrollbars", "--lang=fr-FR",
]


def chromium_path() -> str:
    """The Chromium binary; a missing one fails the test in CI (.ci/run installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package")
    pytest.skip("chromium is not installed (apt-get install chromium, or run .ci/run)")


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium_path(), *FLAGS, f"--user-data-dir={profile}", *arguments],
            capture_output=True, text=True, timeout=90, check=True,
        )


def dump_dom(url: str) -> str:
    """The page's DOM after it loaded, as Chromium rendered it."""
    return _run("--virtual-time-budget=2000", "--dump-dom", url).stdout


def printed_pages(url: str, path: Path) -> int:
    """How many pages Chromium prints the page on (its own print settings: A4 from the page's CSS)."""
    _run("--virtual-time-budget=2000", "--no-pdf-header-footer", f"--print-to-pdf={path}", url)
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


def screenshot(url: str, path: Path, width: int = 1100, height: int = 1400) -> Path:
    """A PNG of the page, for a person to look at."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _run(f"--window-size={width},{height}", f"--screenshot={path}", url)
    return path


def keep_screenshot(url: str, name: str, tmp_path: Path, width: int = 1100, height: int = 1400) -> Path:
    """A screenshot worth keeping: `name`.png in $SCREENSHOTS (`make screenshots`), else in tmp_path."""
    folder = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else tmp_path
    return screenshot(url, folder / f"{name}.png", width, height)


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app on a real HTTP server on loopback, for the browser; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


ADMIN_USER, ADMIN_PASSWORD = "admin", "correct horse battery staple"


@contextmanager
def browser_page(width: int = 1280, height: int = 900, locale: str = "fr-FR") -> Iterator[Page]:
    """A page of Debian's Chromium driven by Playwright (clicks, forms, viewports, media)."""
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=[
            flag for flag in FLAGS if flag not in ("--headless", "--hide-scrollbars")])
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
            yield context.new_page()
        finally:
            browser.close()


def sign_in_page(page: Page, base: str, user: str = ADMIN_USER, password: str = ADMIN_PASSWORD) -> None:
    """Sign in through the form, as a person would."""
    page.goto(base + "/sign-in")
    page.fill("#user", user)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def visible_text(page: Page) -> str:
    return re.sub(r"\s+", " ", page.inner_text("body"))
