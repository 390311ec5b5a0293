"""Phone numbers as people read and hear them (the settings keep E.164)."""
from __future__ import annotations

import phonenumbers


def format_phone(e164: str, *, national: bool = False) -> str:
    """ "+33 1 42 00 11 22" as people read a number (the settings keep E.164); `national` gives
    "01 42 00 11 22", which <Say> reads the way people say numbers."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def spoken_phone(e164: str) -> str:
    """The national form ("01 42 00 11 22"), read by <Say> the way people say numbers."""
    return format_phone(e164, national=True)


def same_country(number: str, other: str) -> bool:
    """Patients read a number of their own country in its national form ("01 42 00 11 22")."""
    try:
        return phonenumbers.parse(number).country_code == phonenumbers.parse(other).country_code
    except phonenumbers.NumberParseException:
        return False
