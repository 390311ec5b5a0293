"""Patients' data stays theirs: what the logs may say about a caller, and a filter for the rest.

Logs name a caller by a masked number (`+33 6 •• •• 54 32`) and never hold the words of a text,
a recording's address or a transcript. Code logs `masked(number)` on purpose; the filter
installed by `redact_logs` is the safety net for what slips through (a library's message, an
exception's text): it masks phone numbers and recording addresses and drops SQL parameters.
"""
from __future__ import annotations

import logging
import re

import phonenumbers

_MASK = "•"
# A number as it may appear in a message: international (+33 6 98 76 54 32, +15145214867), French
# national (06 98 76 54 32), or E.164 without its + (33698765432). Never a time's digits (10:04:56.6486).
_PHONE = re.compile(r"(?<![\w:.+/])(?:\+\d(?:[\s.\-]?\d){7,14}|0[1-9](?:[\s.\-]?\d){8}|(?:33|1)\d{9,10})(?![\w])")
_RECORDING = re.compile(r"https?://[^\s\"'<>]*(?:/Recordings/|/Media/|/Messages/)[^\s\"'<>]*", re.IGNORECASE)
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\(|\[|$))", re.DOTALL)
_SQL = re.compile(r"\[SQL: .*?\](?=\s*(?:\(|\[|$))", re.DOTALL)
# A signed link is a key to one practice's contacts: request logs keep the page, not the token.
_NUMBER_QUERY = re.compile(r"([?&](?:number|patient)=)[^&\s\"']*")  # the contact log's filter, URL-encoded
_SIGNED_LINK = re.compile(r"(/(?:briefing|follow-up|sign-in/link)/)[A-Za-z0-9._~%-]{16,}")


def masked(number: str | None) -> str:
    """ "+33 6 •• •• 54 32": enough for a person to recognise a number they know, not to dial it."""
    if not number:
        return "(none)"
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        groups = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL).split()
        if len(groups) >= 4:
            kept = {0, 1, len(groups) - 2, len(groups) - 1}
            return " ".join(g if i in kept else _MASK * len(g) for i, g in enumerate(groups))
        digits = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        return digits[:4] + _MASK * max(len(digits) - 6, 0) + digits[-2:]
    text = "".join(c for c in number if c.isprintable())
    if len(text) <= 4:
        return _MASK * len(text)
    return text[:2] + _MASK * min(len(text) - 4, 8) + text[-2:]


def redact(text: str) -> str:
    """The text with phone numbers masked, recording and media addresses and SQL parameters removed."""
    text = _SQL_PARAMETERS.sub("[parameters hidden]", text)
    text = _SQL.sub("[SQL hidden]", text)
    text = _RECORDING.sub("(a Twilio media address)", text)
    text = _SIGNED_LINK.sub(r"\1…", text)
    text = _NUMBER_QUERY.sub(r"\1…", text)
    return _PHONE.sub(lambda match: _masked_match(match.group(0)), text)


def _masked_match(found: str) -> str:
    digits = re.sub(r"[\s.\-]", "", found)
    if digits.startswith("+"):
        return masked(digits)
    if digits.startswith("0"):
        return digits[:2] + _MASK * (len(digits) - 4) + digits[-2:]
    return masked("+" + digits)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and its exception's text) through `redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            # The formatted traceback is cached on the record: redact it once, here.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def redact_logs(logger: logging.Logger | None = None) -> None:
    """Install the filter on the handlers of `logger` (the root logger by default), once each.
    The twilio client's request log (each URL it calls, a recording's included) is kept quiet."""
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
