"""Dates, times and labels written the way the practice's language writes them."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import phonenumbers
from babel.dates import format_date, format_time

if TYPE_CHECKING:
    from coverage.plan import PlanEntry

_LABELS = {
    "fr": {
        "open": "Ouvert",
        "closed": "Fermé",
        "outside_hours": "en dehors des heures d'ouverture",
        "closure": "Fermeture",
        "covered_by": "Couvert par",
        "reopens": "Réouverture",
        "no_reopening": "pas de réouverture prévue dans le calendrier",
        "times": "{count} fois",
        "from_to": "du {first} au {last}",
        "plan": "Fermetures à venir",
        "no_closure": "Aucune fermeture prévue",
        "at": "à",
        "then": "puis",
    },
    "en": {
        "open": "Open",
        "closed": "Closed",
        "outside_hours": "outside opening hours",
        "closure": "Closure",
        "covered_by": "Covered by",
        "reopens": "Reopens",
        "no_reopening": "no reopening in the calendar",
        "times": "{count} times",
        "from_to": "from {first} to {last}",
        "plan": "Upcoming closures",
        "no_closure": "No closure planned",
        "at": "at",
        "then": "then",
    },
}


def label(key: str, language: str) -> str:
    """A fixed word of the interface in the practice's language (French or English)."""
    return _LABELS.get(language[:2], _LABELS["en"])[key]


def format_phone(e164: str) -> str:
    """ "+33 1 42 00 11 22": how people read a number (the settings keep E.164)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _locale(language: str) -> str:
    return language.replace("-", "_")


def format_day(instant: datetime, language: str) -> str:
    """ "lundi 9 janvier 2027" in French, "Monday, January 9, 2027" in English."""
    return format_date(instant.date(), format="full", locale=_locale(language))


def format_clock(instant: datetime, language: str) -> str:
    """French writes and reads "9 h" and "12 h 30"; English "9:00 AM"."""
    if language.startswith("fr"):
        return f"{instant.hour} h" if instant.minute == 0 else f"{instant.hour} h {instant.minute:02d}"
    return format_time(instant.time(), format="short", locale=_locale(language))


def format_moment(instant: datetime, language: str) -> str:
    """ "lundi 9 janvier 2027 à 9 h", in the instant's own zone."""
    return f"{format_day(instant, language)} {label('at', language)} {format_clock(instant, language)}"


def format_span(start: datetime, end: datetime, language: str, *, is_all_day: bool = False) -> str:
    """A closure's dates: whole days for all-day closures (the last day shown is the last closed)."""
    if is_all_day:
        last = end.date().toordinal() - 1
        first_day = format_day(start, language)
        if last == start.date().toordinal():
            return first_day
        last_day = format_date(datetime.fromordinal(last).date(), format="full", locale=_locale(language))
        return label("from_to", language).format(first=first_day, last=last_day)
    if start.date() == end.date():
        return f"{format_day(start, language)}, {format_clock(start, language)} – {format_clock(end, language)}"
    return label("from_to", language).format(first=format_moment(start, language), last=format_moment(end, language))


def format_entry_dates(entry: PlanEntry, language: str) -> str:
    """A plan entry's dates; a series adds how many times it occurs, and its first and last day."""
    first = entry.first
    if not entry.is_series:
        return format_span(first.start, first.end, language, is_all_day=first.is_all_day)
    days = label("from_to", language).format(first=format_day(first.start, language),
                                             last=format_day(entry.last.start, language))
    count = label("times", language).format(count=entry.count)
    if first.is_all_day or first.start.date() != first.end.date():
        return f"{count}, {days}"
    return f"{format_clock(first.start, language)} – {format_clock(first.end, language)}, {count}, {days}"
