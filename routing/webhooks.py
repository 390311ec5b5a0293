"""What every Twilio webhook handler shares: reading the form safely, the clock, the answer.

Twilio's fields are read as text without control characters and of bounded length, and numbers
as numbers only when they are plain digits of a sensible size: a hostile but correctly signed
request (`CallDuration` of 20 digits, `ErrorCode=²`, a control character in `From`) gets an
answer, never a 500 or a document Twilio refuses.
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, current_app, request
from twilio.twiml import TwiML  # type: ignore[import-untyped]
from werkzeug.datastructures import MultiDict

from config.phones import printable
from coverage.store.contacts import seconds


def xml(response: TwiML) -> Response:
    return Response(str(response), mimetype="text/xml")


def now() -> datetime:
    at: datetime = current_app.config["RELEVE_CLOCK"]()
    return at


def form_text(name: str, size: int = 64) -> str:
    """A field of the request's form as text that may be stored, logged (masked) and put in TwiML."""
    return field(request.form, name, size)


def field(form: MultiDict[str, str], name: str, size: int = 64) -> str:
    """A form field as text that may be stored, logged (masked) and put in TwiML."""
    return printable(form.get(name), size)


def whole_number(value: str | None, digits: int = 9) -> int | None:
    """A plain number of at most `digits` digits; None for anything else ('²' is a digit to
    str.isdigit, and int() refuses it)."""
    text = (value or "").strip()
    if not text or len(text) > digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def duration(name: str) -> int | None:
    """A duration in seconds from the form, or None when it cannot be one."""
    return seconds(whole_number(request.form.get(name)))
