"""Phone numbers: what is a real number Relève may dial or text, in one place.

Twilio hands over `From` as the caller gave it: an E.164 number, `anonymous` (withheld), a SIP
address, a `client:` name, a short code, or anything an attacker puts in a signed request. Only
a valid E.164 number is ever passed on as a caller ID, texted, or shown as a number to call back.
"""
from __future__ import annotations

import functools

import phonenumbers

_WRITTEN = frozenset("+0123456789 .-()")
# What Twilio sends for a withheld number.
WITHHELD = frozenset({"anonymous", "unknown", "restricted", "private", "blocked", "unavailable", ""})


@functools.lru_cache(maxsize=4096)  # a webhook asks for the same few numbers again and again
def e164(raw: str | None) -> str | None:
    """The number in E.164 when `raw` is a valid international number (+33…); else None."""
    if not raw:
        return None
    text = raw.strip()
    # Digits and the separators people write (spaces, dots, dashes, brackets) only: anything else,
    # a control character, an extension, a letter, means this is not plainly a number.
    if not text.startswith("+") or len(text) > 24 or any(c not in _WRITTEN for c in text):
        return None
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # "+33 6 98 76 54 32" and "+33698765432" are one number; "+33698765432;ext=1" is not plain.
    return formatted if formatted == "".join(c for c in text if c == "+" or c.isdigit()) else None


def region_of(number: str) -> str:
    """The country of an E.164 number ("FR", "CA"…), "" when it has none."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None)) or ""
    except phonenumbers.NumberParseException:
        return ""


def typed_number(text: str, region: str) -> str | None:
    """A number as a person types it, in E.164: international (+33…), or national in `region`
    ("06 12 34 56 78" in France); None when it is not a valid number there."""
    found = e164(text)
    if found is not None or not region:
        return found
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) \
        if phonenumbers.is_valid_number(number) else None


def is_withheld(raw: str | None) -> bool:
    """A caller who hid their number (or sent none)."""
    return (raw or "").strip().lower() in WITHHELD


def printable(raw: str | None, size: int = 64) -> str:
    """A value from a webhook as it may be stored and shown: no control characters, bounded."""
    text = raw or ""
    if not text.isprintable():  # the usual case is printable already: no copy character by character
        text = "".join(c for c in text if c.isprintable())
    return text[:size].strip()
