"""Dates and times, written and spoken the way the practice's language writes and says them."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from babel.dates import format_date, format_time

from coverage.wording.labels import label

if TYPE_CHECKING:
    from config.settings import OpeningHours
    from coverage.plan import PlanEntry


def _locale(language: str) -> str:
    return language.replace("-", "_")


_FIRST_OF_MONTH = re.compile(r"\b1 (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
                             r"novembre|décembre)\b")


def french_first(text: str, language: str) -> str:
    """French writes the first of the month "1er janvier"; Babel writes "1 janvier"."""
    return _FIRST_OF_MONTH.sub(r"1er \1", text) if language.startswith("fr") else text


def format_day(instant: datetime, language: str) -> str:
    """ "lundi 9 janvier 2027" in French, "Monday, January 9, 2027" in English."""
    return french_first(format_date(instant.date(), format="full", locale=_locale(language)), language)


def format_month(day: date, language: str) -> str:
    """ "janvier 2027", "January 2027"."""
    return format_date(day, format="LLLL y", locale=_locale(language))


def format_short_day(day: date, language: str) -> str:
    """ "mer. 2 déc.", "Wed, Dec 2": a day on a timeline's narrow column."""
    return format_date(day, format="EEE d MMM", locale=_locale(language))


def weekday_initials(language: str) -> tuple[str, ...]:
    """Monday to Sunday in one letter: "L M M J V S D", "M T W T F S S"."""
    return _weekdays("EEEEE", language)


def _weekdays(pattern: str, language: str) -> tuple[str, ...]:
    monday = date(2024, 1, 1)
    return tuple(format_date(monday + timedelta(days=n), format=pattern, locale=_locale(language)) for n in range(7))


def _midnight(language: str) -> str:
    """The end of a day as a clock: "24 h" (midnight tonight), "midnight"."""
    return "24 h" if language.startswith("fr") else "midnight"


def format_clock_span(start: datetime, end: datetime, language: str) -> str:
    """ "12 h 30 – 14 h"; a span that ends at the next midnight ends at "24 h" (midnight tonight)."""
    ends = _midnight(language) if end.date() > start.date() and end.time() == time(0) else format_clock(end, language)
    return f"{format_clock(start, language)} – {ends}"


def format_clock(instant: datetime, language: str) -> str:
    """French writes and reads "9 h" and "12 h 30"; English "9:00 AM"."""
    if language.startswith("fr"):
        return f"{instant.hour} h" if instant.minute == 0 else f"{instant.hour} h {instant.minute:02d}"
    return format_time(instant.time(), format="short", locale=_locale(language))


def format_hour(hour: int, language: str) -> str:
    """An hour of the day on a scale: "6 h", "6 AM"."""
    return format_clock(datetime(2000, 1, 1, hour, tzinfo=UTC), language)


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
        last_day = format_day(datetime.fromordinal(last), language)
        return label("from_to", language).format(first=first_day, last=last_day)
    if start.date() == end.date():
        return f"{format_day(start, language)}, {format_clock(start, language)} – {format_clock(end, language)}"
    return label("from_to", language).format(first=format_moment(start, language), last=format_moment(end, language))


def format_kept_span(start: datetime, end: datetime, language: str) -> str:
    """A span kept as two instants (a signed link, a notice row), without the closure's all-day flag:
    midnight to midnight in the practice's zone is written as whole days, as the briefing wrote it,
    not "du dimanche 27 décembre à 0 h au samedi 9 janvier à 0 h"."""
    return format_span(start, end, language, is_all_day=start.time() == end.time() == time(0))


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


def spoken_clock(instant: datetime, language: str) -> str:
    if language.startswith("fr"):
        hours = f"{instant.hour} heure" + ("s" if instant.hour > 1 else "")
        return hours + (f" {instant.minute}" if instant.minute else "")
    suffix = "AM" if instant.hour < 12 else "PM"
    hour = instant.hour % 12 or 12
    return f"{hour}:{instant.minute:02d} {suffix}" if instant.minute else f"{hour} {suffix}"


def spoken_reopening(reopens_at: datetime | None, now: datetime, language: str, *, with_time: bool = True) -> str:
    """ "jusqu'à 14 heures", "jusqu'à demain, 8 heures 30", "jusqu'au samedi 9 janvier, 9 heures"."""
    if reopens_at is None:
        return "pour le moment" if language.startswith("fr") else "for now"
    return _spoken_reopening(reopens_at, now.astimezone(reopens_at.tzinfo).date(), language, with_time)


@lru_cache(maxsize=4096)
def _spoken_reopening(local: datetime, today: date, language: str, with_time: bool) -> str:
    # Cached: every call during a closure says the same, and Babel's formatting is the costly part.
    french = language.startswith("fr")
    clock = spoken_clock(local, language)
    if local.date() == today:
        return f"jusqu'à {clock}" if french else f"until {clock}"
    if local.date() == today + timedelta(days=1):
        if not with_time:
            return "jusqu'à demain" if french else "until tomorrow"
        return f"jusqu'à demain, {clock}" if french else f"until tomorrow at {clock}"
    day = _spoken_day(local, today, language)
    if not with_time:
        return f"jusqu'au {day}" if french else f"until {day}"
    return f"jusqu'au {day}, {clock}" if french else f"until {day} at {clock}"


def spoken_when(reopens_at: datetime | None, now: datetime, language: str) -> str:
    """When the practice reopens, as said after « nous rouvrirons » or "we reopen": « à 14 heures »,
    « demain à 8 heures 30 », « le samedi 9 janvier à 9 heures »; "at 2 PM", "tomorrow at 8:30 AM",
    "on Saturday, January 9 at 9 AM". The day and the hour together: « jusqu'au samedi 9 janvier »
    alone is heard as closed through Saturday. Empty when no reopening is known."""
    if reopens_at is None:
        return ""
    return _spoken_when(reopens_at, now.astimezone(reopens_at.tzinfo).date(), language)


@lru_cache(maxsize=4096)
def _spoken_when(local: datetime, today: date, language: str) -> str:
    french = language.startswith("fr")
    clock = spoken_clock(local, language)
    if local.date() == today:
        return f"à {clock}" if french else f"at {clock}"
    if local.date() == today + timedelta(days=1):
        return f"demain à {clock}" if french else f"tomorrow at {clock}"
    day = _spoken_day(local, today, language)
    return f"le {day} à {clock}" if french else f"on {day} at {clock}"


def _spoken_day(local: datetime, today: date, language: str) -> str:
    """ "samedi 9 janvier", "Saturday, January 9"; with the year when it is months away."""
    french = language.startswith("fr")
    pattern = "EEEE d MMMM" if french else "EEEE, MMMM d"
    if (local.date() - today).days > 300:
        pattern += " y" if french else ", y"
    return french_first(format_date(local.date(), pattern, locale=_locale(language)), language)


def _written_clock(instant: datetime, language: str) -> str:
    """ "9 h", "8 h 30"; "9:00 AM": a clock short enough for an SMS."""
    if language.startswith("fr"):
        return f"{instant.hour} h" + (f" {instant.minute:02d}" if instant.minute else "")
    hour = instant.hour % 12 or 12
    return f"{hour}:{instant.minute:02d} {'AM' if instant.hour < 12 else 'PM'}"


def written_reopening(reopens_at: datetime | None, now: datetime, language: str) -> str:
    """ "jusqu'à 14 h" today, "jusqu'à demain 8 h 30", "jusqu'au samedi 9 janvier à 9 h": short
    enough for an SMS."""
    french = language.startswith("fr")
    if reopens_at is None:
        return "pour le moment" if french else "for now"
    clock = _written_clock(reopens_at, language)
    days = (reopens_at.date() - now.astimezone(reopens_at.tzinfo).date()).days
    if days == 0:
        return f"jusqu'à {clock}" if french else f"until {clock}"
    if days == 1:
        return f"jusqu'à demain {clock}" if french else f"until tomorrow at {clock}"
    day = french_first(format_date(reopens_at.date(), "EEEE d MMMM" if french else "EEEE, MMMM d",
                                   locale=language.replace("-", "_")), language)
    return f"jusqu'au {day} à {clock}" if french else f"until {day} at {clock}"


def written_when(reopens_at: datetime | None, now: datetime, language: str) -> str:
    """When the practice reopens, in a text: « à 14 h », « demain à 8 h 30 », « le samedi 29/08 à
    9 h »; "at 2:00 PM", "tomorrow at 8:30 AM", "on Saturday, Aug 29 at 9:00 AM". The day and
    the month as numbers: a month's name would put « août » and its û (outside GSM-7) in the
    summer-vacation texts."""
    if reopens_at is None:
        return ""
    french = language.startswith("fr")
    clock = _written_clock(reopens_at, language)
    days = (reopens_at.date() - now.astimezone(reopens_at.tzinfo).date()).days
    if days == 0:
        return f"à {clock}" if french else f"at {clock}"
    if days == 1:
        return f"demain à {clock}" if french else f"tomorrow at {clock}"
    locale = language.replace("-", "_")
    if french:
        weekday = format_date(reopens_at.date(), "EEEE", locale=locale)
        return f"le {weekday} {reopens_at.day:02d}/{reopens_at.month:02d} à {clock}"
    return f"on {format_date(reopens_at.date(), 'EEEE, MMM d', locale=locale)} at {clock}"


def _seconds_clock(seconds: int, language: str) -> str:
    if seconds >= 86400:
        return _midnight(language)
    return format_clock(datetime(2024, 1, 1, seconds // 3600, seconds % 3600 // 60), language)


def format_opening_hours(hours: OpeningHours, language: str) -> list[tuple[str, str]]:
    """The week's opening hours, days alike grouped: [("du lundi au mardi", "8 h 30 – 12 h 30,
    14 h – 19 h"), ("mercredi", "8 h 30 – 12 h 30"), …, ("dimanche", "fermé")]."""
    names = _weekdays("EEEE", language)
    closed = label("closed_day", language)
    found: list[tuple[str, str]] = []
    day = 0
    while day < 7:
        last = day
        while last + 1 < 7 and hours.days[last + 1] == hours.days[day]:
            last += 1
        spans = ", ".join(f"{_seconds_clock(a, language)} – {_seconds_clock(b, language)}" for a, b in hours.days[day])
        days = names[day] if last == day else label("days_from_to", language).format(first=names[day], last=names[last])
        found.append((days, spans or closed))
        day = last + 1
    return found
