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
