"""The incoming-call webhook in process, against a bare Flask handler returning fixed TwiML."""
from __future__ import annotations

import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime

from flask import Flask, Response
from twilio.request_validator import RequestValidator

from app import create_app
from config import load_settings
from tests.conftest import EXAMPLE_CONFIG

TOKEN = "bench-token"
URL = "https://releve.example.org/twilio/voice"
FIXED = ('<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-FR" voice="Polly.Lea-Neural">'
         "Bonjour.</Say><Dial><Number>+33142001122</Number></Dial></Response>")


def _bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/twilio/voice")
    def voice() -> Response:
        return Response(FIXED, mimetype="text/xml")

    return app


def _median_us(client, forms, sign: bool) -> float:
    validator = RequestValidator(TOKEN)
    timings = []
    for form in forms:
        headers = {"X-Twilio-Signature": validator.compute_signature(URL, form)} if sign else {}
        started = time.perf_counter_ns()
        answer = client.post(URL, data=form, headers=headers)
        timings.append(time.perf_counter_ns() - started)
        assert answer.status_code == 200, answer.data
    return statistics.median(timings) / 1000


def bench_webhook(calls: int = 3000) -> None:
    at = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)  # closed: greeting, whisper and dial
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(load_settings(EXAMPLE_CONFIG), {
            "RELEVE_CLOCK": lambda: at, "RELEVE_DATA_DIR": folder, "TWILIO_AUTH_TOKEN": TOKEN,
            "RELEVE_BACKGROUND_REFRESH": False})
        ours, bare = app.test_client(), _bare_app().test_client()
        form = {"AccountSid": "AC" + "0" * 32, "From": "+33698765432", "To": "+33186951234",
                "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01"}
        forms = [{**form, "CallSid": "CA" + secrets.token_hex(16)} for _ in range(calls)]
        _median_us(ours, forms[:200], sign=True)  # warm up: first calendar load, first connection
        _median_us(bare, forms[:200], sign=False)
        # Interleaved halves, so that a busy moment of the machine weighs on both alike.
        results = {"ours": [], "bare": []}
        for half in (forms[200::2], forms[201::2]):
            results["ours"].append(_median_us(ours, half, sign=True))
            results["bare"].append(_median_us(bare, half, sign=False))
        median_ours, median_bare = statistics.mean(results["ours"]), statistics.mean(results["bare"])

    print(f"incoming-call webhook in process, {calls} calls (Flask test client, SQLite contact log):")
    print(f"  Relève /twilio/voice (signature, decision, log write, TwiML): {median_ours:7.1f} µs median")
    print(f"  bare Flask handler returning fixed TwiML:                     {median_bare:7.1f} µs median")
    print(f"  ratio:                                                        {median_ours / median_bare:7.2f}"
          "  (aim: 1.5 or less)")
