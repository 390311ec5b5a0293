"""Small builders for test data: calendars, practices, offices, settings."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config.settings import CoveringOffice, Name, OpeningHours, Practice, Settings

PARIS = ZoneInfo("Europe/Paris")
MONTREAL = ZoneInfo("America/Montreal")


def _ical_time(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return f":{value:%Y%m%dT%H%M%S}"
        key = getattr(value.tzinfo, "key", None)
        if key:
            return f";TZID={key}:{value:%Y%m%dT%H%M%S}"
        return f":{value.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}"
    return f";VALUE=DATE:{value:%Y%m%d}"


def vevent(summary: str, start: date | datetime, end: date | datetime | None = None, *,
           uid: str | None = None, lines: tuple[str, ...] = ()) -> str:
    """One VEVENT; `lines` adds raw properties (RRULE:…, DESCRIPTION:…, STATUS:CANCELLED)."""
    parts = ["BEGIN:VEVENT", f"UID:{uid or summary.replace(' ', '-').lower() + '@test'}",
             "DTSTAMP:20261101T000000Z", f"SUMMARY:{summary}", f"DTSTART{_ical_time(start)}"]
    if end is not None:
        parts.append(f"DTEND{_ical_time(end)}")
    parts.extend(lines)
    parts.append("END:VEVENT")
    return "\r\n".join(parts)


def vcalendar(*events: str, headers: tuple[str, ...] = ()) -> bytes:
    """A VCALENDAR holding `events`, as bytes like a file or an HTTP answer."""
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Releve tests//EN", *headers, *events, "END:VCALENDAR"]
    return ("\r\n".join(body) + "\r\n").encode("utf-8")


def office(ident: str = "martin", **changes: Any) -> CoveringOffice:
    base = CoveringOffice(
        id=ident, kind="partner", name=Name(f"Cabinet {ident.title()}", f"le cabinet {ident.title()}"),
        phone="+33142001122", language="fr-FR",
    )
    return replace(base, **changes)


def weekdays(*spans: tuple[int, int], saturday: tuple[tuple[int, int], ...] = ()) -> OpeningHours:
    """Opening hours: the same spans (seconds since midnight) Monday to Friday."""
    return OpeningHours((tuple(spans),) * 5 + (saturday, ()))


def hm(hours: int, minutes: int = 0) -> int:
    return hours * 3600 + minutes * 60


def practice(ident: str = "dupont", **changes: Any) -> Practice:
    base = Practice(
        id=ident, name=Name("Cabinet dentaire Dupont", "le cabinet dentaire Dupont"),
        numbers=("+33186951234",), front_desk=("+33145678910",), timezone=PARIS, language="fr-FR",
        calendars=(), closure_chain=("martin", "permanence"), after_hours_chain=("permanence",),
    )
    return replace(base, **changes)


def settings(*practices: Practice, offices: tuple[CoveringOffice, ...] | None = None) -> Settings:
    offices = offices or (office("martin"), office("permanence", kind="answering_service",
                                                     name=Name("Permanence Santé", "la permanence Santé")))
    return Settings(path=Path("test.yaml"), practices=practices or (practice(),),
                    offices={o.id: o for o in offices})
