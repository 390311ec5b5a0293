"""Fixtures for the Twilio webhooks: an app with an auth token, and requests signed like Twilio's."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from twilio.request_validator import RequestValidator

from app import create_app
from config import Settings
from config.env import Smtp
from tests.conftest import Clock, build_app
from tests.mail import MailServer, free_port  # noqa: F401 - re-exported for the routing tests
from tests.twilio_api import TwilioApi

TOKEN = "test-auth-token-0123456789abcdef"
BASE = "https://releve.example.org"


@pytest.fixture
def app(example_settings: Settings, tmp_path: Path, clock: Clock, database_url: str | None) -> Iterator[Flask]:
    made = build_app(example_settings, tmp_path / "data", clock, TWILIO_AUTH_TOKEN=TOKEN, RELEVE_PUBLIC_URLS=(BASE,),
                     RELEVE_DATABASE_URL=database_url)
    store = made.extensions["releve.db"]  # a test may take it away (the fallback needs none)
    yield made
    store.dispose()


class Twilio:
    """Sends webhooks to the app exactly as Twilio would: form-encoded, signed with the token."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()
        self.validator = RequestValidator(TOKEN)

    def post(self, path: str, form: dict[str, str], *, token: str | None = TOKEN, base: str = BASE,
             signed_url: str | None = None, headers: dict[str, str] | None = None) -> Any:
        url = base + path
        signature = RequestValidator(token).compute_signature(signed_url or url, form) if token else None
        all_headers = {**({"X-Twilio-Signature": signature} if signature else {}), **(headers or {})}
        return self.client.post(url, data=form, headers=all_headers)

    def twiml(self, path: str, form: dict[str, str], **options: Any) -> ElementTree.Element:
        answer = self.post(path, form, **options)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.mimetype == "text/xml"
        return ElementTree.fromstring(answer.get_data())


@pytest.fixture
def twilio(app: Flask) -> Twilio:
    return Twilio(app)


def incoming(call_sid: str = "CA00000000000000000000000000000001", caller: str = "+33698765432",
             to: str = "+33186951234") -> dict[str, str]:
    return {"CallSid": call_sid, "AccountSid": "AC" + "0" * 32, "From": caller, "To": to,
            "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01"}


# Outbound messages: a stand-in of Twilio's REST API and a real SMTP server, both on loopback.

ACCOUNT_SID = "AC" + "5e1f0c2d9b8a7364" * 2
SENDER = "releve@cabinet.example.fr"


def _outbound_app(settings: Settings, data_dir: Path, clock: Clock, **config: Any) -> Flask:
    return create_app(settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(data_dir),
                                 "RELEVE_BACKGROUND_REFRESH": False, "TWILIO_AUTH_TOKEN": TOKEN,
                                 "RELEVE_PUBLIC_URLS": (BASE,), **config})


@pytest.fixture
def twilio_api() -> Iterator[TwilioApi]:
    """Twilio's REST API on 127.0.0.1: `twilio_api.script(to, 500, 201)`, `twilio_api.requests`."""
    with TwilioApi(ACCOUNT_SID, TOKEN) as api:
        yield api


@pytest.fixture
def twilio_app_factory(example_settings: Settings, tmp_path: Path, clock: Clock,
                       twilio_api: TwilioApi, database_url: str | None) -> Iterator[Any]:
    """Makes apps sending through the stand-in; two made with the same data folder are two
    processes sharing one database."""
    made: list[Flask] = []

    def make(data_dir: Path = tmp_path / "data") -> Flask:
        made.append(_outbound_app(example_settings, data_dir, clock, TWILIO_ACCOUNT_SID=ACCOUNT_SID,
                                  TWILIO_API_BASE_URL=twilio_api.base_url, RELEVE_DATABASE_URL=database_url))
        return made[-1]

    yield make
    for each in made:
        each.extensions["releve.transports"].sms.client.http_client.session.close()
        each.extensions["releve.db"].dispose()


@pytest.fixture
def app_with_twilio(twilio_app_factory: Any) -> Flask:
    """An app with Twilio credentials whose REST calls go to `twilio_api`."""
    app: Flask = twilio_app_factory()
    return app


@pytest.fixture
def app_with_smtp(example_settings: Settings, tmp_path: Path, clock: Clock, smtp_server: MailServer,
                  database_url: str | None) -> Iterator[Flask]:
    """An app sending email through `smtp_server` (texts stay in the local outbox)."""
    app = _outbound_app(example_settings, tmp_path / "data", clock, RELEVE_DATABASE_URL=database_url,
                        RELEVE_SMTP=Smtp(smtp_server.host, smtp_server.port, sender=SENDER, starttls=False))
    yield app
    app.extensions["releve.db"].dispose()
