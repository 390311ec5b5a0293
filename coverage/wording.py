"""Dates, times and labels written the way the practice's language writes them."""
from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time

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
    },
}


def label(key: str, language: str) -> str:
    """A fixed word of the interface in the practice's language (French or English)."""
    return _LABELS.get(language[:2], _LABELS["en"])[key]


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
