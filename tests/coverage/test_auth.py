"""Signing in as the host's administrator: a hashed password from the environment, a rate limit
every web process shares, CSRF tokens, a sign-out; and the headers every page sends."""
from __future__ import annotations

import re

from werkzeug.security import generate_password_hash

from tests.browser import ADMIN_PASSWORD, ADMIN_USER
from tests.conftest import build_app, sign_in


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_pages_with_patients_data_need_sign_in(client):
    answer = client.get("/?at=2026-12-28T10:00")

    assert answer.status_code == 302 and "/sign-in?next=" in answer.headers["Location"]
    assert "outbox" not in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_the_administrator_signs_in_is_sent_where_they_were_going_and_signs_out(client):
    page = client.get("/sign-in?next=/%3Fat%3D2026-12-28T10:00").get_data(as_text=True)
    answer = client.post("/sign-in", data={"csrf_token": _token(page), "user": ADMIN_USER,
                                           "password": ADMIN_PASSWORD, "next": "/?at=2026-12-28T10:00"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/?at=2026-12-28T10:00"
    home = client.get("/").get_data(as_text=True)
    assert 'id="outbox"' in home

    assert client.post("/sign-out", data={"csrf_token": _token(home)}).status_code == 303
    assert client.get("/").status_code == 302


def test_sign_in_never_sends_the_browser_to_another_site(client):
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        page = client.get("/sign-in").get_data(as_text=True)  # signing in starts a new session: a new token
        answer = client.post("/sign-in", data={"csrf_token": _token(page), "user": ADMIN_USER,
                                               "password": ADMIN_PASSWORD, "next": elsewhere})
        assert answer.headers["Location"] == "/"


def test_a_sign_in_form_without_its_token_is_refused(client):
    answer = client.post("/sign-in", data={"user": ADMIN_USER, "password": ADMIN_PASSWORD})

    assert answer.status_code == 400
    assert client.get("/").status_code == 302


def test_after_five_failures_sign_in_waits_even_with_the_right_password_and_on_every_process(example_settings,
                                                                                            tmp_path, clock):
    first = build_app(example_settings, tmp_path / "data", clock).test_client()
    second = build_app(example_settings, tmp_path / "data", clock).test_client()  # another web process

    assert [sign_in(first, password=f"guess-{n}").status_code for n in range(5)] == [401] * 5
    refused = sign_in(second)

    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.get_data(as_text=True)
    clock.now = clock.now.replace(hour=clock.now.hour + 1)  # the window has passed
    assert sign_in(second).status_code == 303


def test_a_hashed_password_from_the_environment_is_accepted(example_settings, tmp_path, clock):
    app = build_app(example_settings, tmp_path, clock, RELEVE_ADMIN_PASSWORD=generate_password_hash("s3cr3t"))

    assert sign_in(app.test_client(), password="s3cr3t").status_code == 303
    assert app.config["RELEVE_ADMIN_PASSWORD"].startswith(("scrypt:", "pbkdf2:"))


def test_without_an_administrator_nobody_signs_in_and_the_page_says_why(example_settings, tmp_path, clock):
    app = build_app(example_settings, tmp_path, clock, RELEVE_ADMIN_USER=None, RELEVE_ADMIN_PASSWORD=None)

    answer = sign_in(app.test_client(), user="", password="")

    assert answer.status_code == 401
    assert "Aucun administrateur" in answer.get_data(as_text=True)


def test_every_page_and_webhook_sends_the_security_headers(client):
    for answer in (client.get("/sign-in"), client.get("/briefing/not-a-token"), client.post("/twilio/voice")):
        headers = answer.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in headers  # plain http here


def test_over_https_pages_ask_browsers_to_keep_to_https_and_the_cookie_is_secure(example_settings, tmp_path, clock):
    app = build_app(example_settings, tmp_path, clock, RELEVE_PUBLIC_URLS=("https://releve.example.org",))
    client = app.test_client()

    answer = client.get("/sign-in", base_url="https://releve.example.org")
    signed = sign_in_over_https(client)

    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = signed.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def sign_in_over_https(client):
    page = client.get("/sign-in", base_url="https://releve.example.org").get_data(as_text=True)
    return client.post("/sign-in", base_url="https://releve.example.org",
                       data={"csrf_token": _token(page), "user": ADMIN_USER, "password": ADMIN_PASSWORD})


def test_the_hash_password_command_prints_a_hash_to_put_in_the_environment(app):
    result = app.test_cli_runner().invoke(args=["admin", "hash-password"], input="s3cr3t\ns3cr3t\n")

    assert result.exit_code == 0
    assert re.search(r"(scrypt|pbkdf2):\S+", result.output)
    assert "s3cr3t\n" not in result.output.split("Repeat")[-1].splitlines()[-1]
