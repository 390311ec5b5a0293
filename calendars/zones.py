"""Time zone names as calendar producers write them, to IANA zones.

Outlook and Exchange sometimes write a zone by its display name, with no VTIMEZONE to define it:
`TZID="(UTC-05:00) Eastern Time (US & Canada)"`. Read literally, such a time would be floating
(the practice's local time), wrong by the difference between the two zones. Other readers map
these names to the Windows zone they stand for, and that to its IANA zone; so does Relève, for
the display names Windows uses (tzutil /l). Windows zone IDs themselves ("Romance Standard
Time") are mapped by icalendar.
"""
from __future__ import annotations

import re

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

# Display name (without its "(UTC±hh:mm) " prefix) -> Windows zone ID.
_DISPLAY = {
    "Dublin, Edinburgh, Lisbon, London": "GMT Standard Time",
    "Monrovia, Reykjavik": "Greenwich Standard Time",
    "Casablanca": "Morocco Standard Time",
    "Brussels, Copenhagen, Madrid, Paris": "Romance Standard Time",
    "Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": "W. Europe Standard Time",
    "Belgrade, Bratislava, Budapest, Ljubljana, Prague": "Central Europe Standard Time",
    "Sarajevo, Skopje, Warsaw, Zagreb": "Central European Standard Time",
    "West Central Africa": "W. Central Africa Standard Time",
    "Athens, Bucharest": "GTB Standard Time",
    "Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius": "FLE Standard Time",
    "Helsinki, Kiev, Riga, Sofia, Tallinn, Vilnius": "FLE Standard Time",
    "Jerusalem": "Israel Standard Time",
    "Cairo": "Egypt Standard Time",
    "Beirut": "Middle East Standard Time",
    "Istanbul": "Turkey Standard Time",
    "Moscow, St. Petersburg": "Russian Standard Time",
    "Moscow, St. Petersburg, Volgograd": "Russian Standard Time",
    "Nairobi": "E. Africa Standard Time",
    "Abu Dhabi, Muscat": "Arabian Standard Time",
    "Port Louis": "Mauritius Standard Time",
    "Tashkent, Ashgabat": "West Asia Standard Time",
    "Chennai, Kolkata, Mumbai, New Delhi": "India Standard Time",
    "Bangkok, Hanoi, Jakarta": "SE Asia Standard Time",
    "Beijing, Chongqing, Hong Kong, Urumqi": "China Standard Time",
    "Kuala Lumpur, Singapore": "Singapore Standard Time",
    "Osaka, Sapporo, Tokyo": "Tokyo Standard Time",
    "Seoul": "Korea Standard Time",
    "Canberra, Melbourne, Sydney": "AUS Eastern Standard Time",
    "Brisbane": "E. Australia Standard Time",
    "Solomon Is., New Caledonia": "Central Pacific Standard Time",
    "Auckland, Wellington": "New Zealand Standard Time",
    "Hawaii": "Hawaiian Standard Time",
    "Alaska": "Alaskan Standard Time",
    "Pacific Time (US & Canada)": "Pacific Standard Time",
    "Mountain Time (US & Canada)": "Mountain Standard Time",
    "Arizona": "US Mountain Standard Time",
    "Central Time (US & Canada)": "Central Standard Time",
    "Saskatchewan": "Canada Central Standard Time",
    "Guadalajara, Mexico City, Monterrey": "Central Standard Time (Mexico)",
    "Eastern Time (US & Canada)": "Eastern Standard Time",
    "Indiana (East)": "US Eastern Standard Time",
    "Bogota, Lima, Quito, Rio Branco": "SA Pacific Standard Time",
    "Atlantic Time (Canada)": "Atlantic Standard Time",
    "Georgetown, La Paz, Manaus, San Juan": "SA Western Standard Time",
    "Newfoundland": "Newfoundland Standard Time",
    "Brasilia": "E. South America Standard Time",
    "Cayenne, Fortaleza": "SA Eastern Standard Time",
    "City of Buenos Aires": "Argentina Standard Time",
    "Buenos Aires": "Argentina Standard Time",
    "Santiago": "Pacific SA Standard Time",
    "Coordinated Universal Time": "UTC",
}
_PREFIX = re.compile(r"^\s*\(\s*(?:UTC|GMT)\s*(?:[+-]\d{1,2}(?::?\d{2})?)?\s*\)\s*")
_BY_NAME = {" ".join(name.casefold().split()): windows for name, windows in _DISPLAY.items()}


def iana_for_display_name(tzid: str) -> str | None:
    """The IANA zone a Windows display name stands for: "(UTC-05:00) Eastern Time (US & Canada)"
    is America/New_York. None when it is not a display name Relève knows."""
    if not _PREFIX.match(tzid):
        return None
    name = " ".join(_PREFIX.sub("", tzid).strip().strip('"').casefold().split())
    windows = _BY_NAME.get(name)
    if windows is None:
        return None
    return "UTC" if windows == "UTC" else WINDOWS_TO_OLSON.get(windows)


_TZID_PARAMETER = re.compile(rb'TZID=(?:"([^"\r\n]*)"|([^:;\r\n]*))')


def rewrite_display_names(data: bytes, defined: set[str]) -> tuple[bytes, list[str]]:
    """The calendar with every TZID that is a known display name (and not defined by a VTIMEZONE
    of its own) replaced by its IANA zone; and the display names it replaced."""
    replaced: list[str] = []

    def swap(match: re.Match[bytes]) -> bytes:
        raw = (match.group(1) if match.group(1) is not None else match.group(2)).decode("utf-8", "replace")
        if raw in defined:
            return match.group(0)
        zone = iana_for_display_name(raw)
        if zone is None:
            return match.group(0)
        if raw not in replaced:
            replaced.append(raw)
        return b"TZID=" + zone.encode()

    if b"(UTC" not in data and b"(GMT" not in data:
        return data, []
    return _TZID_PARAMETER.sub(swap, data), replaced
