"""The yardstick: a bare Flask handler returning fixed TwiML, served by gunicorn like Relève."""
from __future__ import annotations

from flask import Flask, Response

FIXED = ('<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-FR" voice="Polly.Lea-Neural">'
         "Bonjour.</Say><Dial><Number>+33142001122</Number></Dial></Response>")

app = Flask("bare")


@app.post("/twilio/voice")
def voice() -> Response:
    return Response(FIXED, mimetype="text/xml")
