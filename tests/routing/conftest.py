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
from tests.conftest import Clock

TOKEN = "test-auth-token-0123456789abcdef"
BASE = "https://releve.example.org"


@pytest.fixture
def app(example_settings: Settings, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    yield create_app(example_settings, {
        "TESTING": True,
        "RELEVE_CLOCK": clock,
        "RELEVE_DATA_DIR": str(tmp_path / "data"),
        "RELEVE_BACKGROUND_REFRESH": False,
        "TWILIO_AUTH_TOKEN": TOKEN,
    })


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
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from routing.transports import SmtpSettings
from tests.twilio_api import TwilioApi

ACCOUNT_SID = "AC" + "5e1f0c2d9b8a7364" * 2
SENDER = "releve@cabinet.example.fr"


def _outbound_app(settings: Settings, data_dir: Path, clock: Clock, **config: Any) -> Flask:
    return create_app(settings, {"TESTING": True, "RELEVE_CLOCK": clock, "RELEVE_DATA_DIR": str(data_dir),
                                 "RELEVE_BACKGROUND_REFRESH": False, "TWILIO_AUTH_TOKEN": TOKEN,
                                 "RELEVE_PUBLIC_URL": BASE, **config})


@pytest.fixture
def twilio_api() -> Iterator[TwilioApi]:
    """Twilio's REST API on 127.0.0.1: `twilio_api.script(to, 500, 201)`, `twilio_api.requests`."""
    with TwilioApi(ACCOUNT_SID, TOKEN) as api:
        yield api


@pytest.fixture
def twilio_app_factory(example_settings: Settings, tmp_path: Path, clock: Clock,
                       twilio_api: TwilioApi) -> Iterator[Any]:
    """Makes apps sending through the stand-in; two made with the same data folder are two
    processes sharing one database."""
    made: list[Flask] = []

    def make(data_dir: Path = tmp_path / "data") -> Flask:
        made.append(_outbound_app(example_settings, data_dir, clock, TWILIO_ACCOUNT_SID=ACCOUNT_SID,
                                  TWILIO_API_BASE_URL=twilio_api.base_url))
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


class MailServer:
    """An aiosmtpd handler keeping what it receives; `refuse[address] = "550 5.1.1 …"` answers RCPT."""

    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", 0
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.received.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A port nothing listens on (a moment ago, at least)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    """A real SMTP server on 127.0.0.1 collecting the messages it receives."""
    server = MailServer()
    server.port = free_port()
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def app_with_smtp(example_settings: Settings, tmp_path: Path, clock: Clock, smtp_server: MailServer) -> Iterator[Flask]:
    """An app sending email through `smtp_server` (texts stay in the local outbox)."""
    app = _outbound_app(example_settings, tmp_path / "data", clock,
                        RELEVE_SMTP=SmtpSettings(smtp_server.host, smtp_server.port, sender=SENDER, starttls=False))
    yield app
    app.extensions["releve.db"].dispose()
