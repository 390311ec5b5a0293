"""Validated settings as JSON and back: the worker stores each practice's settings with its
schedule in the database, and web processes read them from there, without the YAML file."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from calendars.model import ClosureFilter
from config.settings import (
    CalendarSource,
    CoveringOffice,
    Name,
    OpeningHours,
    Practice,
    Service,
    Settings,
    Transcription,
    UrgentContact,
)


def _name(name: Name) -> list[Any]:
    return [name.written, name.spoken, name.gender, name.plural]


def _read_name(value: list[Any]) -> Name:
    """A stored name; one stored before gender and plural existed has only its two texts."""
    written, spoken, *agreement = value
    gender, plural = (*agreement, None, False)[:2]
    return Name(written, spoken, gender, bool(plural))


def practice_to_json(practice: Practice) -> dict[str, Any]:
    return {
        "id": practice.id, "name": _name(practice.name), "numbers": list(practice.numbers),
        "front_desk": list(practice.front_desk), "timezone": practice.timezone.key, "language": practice.language,
        "calendars": [{"location": c.location, "categories": list(c.selection.categories),
                       "title_contains": list(c.selection.title_contains), "line": c.line, "label": c.label}
                      for c in practice.calendars],
        "closure_chain": list(practice.closure_chain), "after_hours_chain": list(practice.after_hours_chain),
        "opening_hours": [[list(span) for span in day] for day in practice.opening_hours.days]
        if practice.opening_hours else None,
        "instructions": practice.instructions, "ring_seconds": practice.ring_seconds,
        "greetings": dict(practice.greetings), "texts": dict(practice.texts), "sms": practice.sms,
        "email": practice.email,
        "urgent_contact": [practice.urgent_contact.name, practice.urgent_contact.phone] if practice.urgent_contact
        else None,
        "briefing_days": list(practice.briefing_days), "voicemail_notices": practice.voicemail_notices,
        "profession": practice.profession,
        "urgent_words": list(practice.urgent_words),
        "emergency_line": [practice.emergency_line.name, practice.emergency_line.phone] if practice.emergency_line
        else None,
    }


def practice_from_json(value: dict[str, Any]) -> Practice:
    hours = value["opening_hours"]
    urgent = value["urgent_contact"]
    return Practice(
        id=value["id"], name=_read_name(value["name"]), numbers=tuple(value["numbers"]),
        front_desk=tuple(value["front_desk"]), timezone=ZoneInfo(value["timezone"]), language=value["language"],
        calendars=tuple(CalendarSource(c["location"], ClosureFilter(tuple(c["categories"]), tuple(c["title_contains"])),
                                       line=c.get("line"), given_label=c.get("label"))
                        for c in value["calendars"]),
        closure_chain=tuple(value["closure_chain"]), after_hours_chain=tuple(value["after_hours_chain"]),
        opening_hours=OpeningHours(tuple(tuple((int(a), int(b)) for a, b in day) for day in hours)) if hours else None,
        instructions=value["instructions"], ring_seconds=int(value["ring_seconds"]), greetings=dict(value["greetings"]),
        texts=dict(value["texts"]), sms=value["sms"], email=value["email"],
        urgent_contact=UrgentContact(*urgent) if urgent else None, briefing_days=tuple(value["briefing_days"]),
        voicemail_notices=value.get("voicemail_notices", "right_away"),
        profession=value.get("profession", "other"),
        emergency_line=UrgentContact(*value["emergency_line"]) if value.get("emergency_line") else None,
        urgent_words=tuple(value.get("urgent_words", ())),
    )


def office_to_json(office: CoveringOffice) -> dict[str, Any]:
    return {"id": office.id, "kind": office.kind, "name": _name(office.name),
            "phone": office.phone, "language": office.language, "sms": office.sms, "email": office.email,
            "ask_to_accept": office.ask_to_accept, "ring_seconds": office.ring_seconds}


def office_from_json(value: dict[str, Any]) -> CoveringOffice:
    return CoveringOffice(id=value["id"], kind=value["kind"], name=_read_name(value["name"]), phone=value["phone"],
                          language=value["language"], sms=value["sms"], email=value["email"],
                          ask_to_accept=bool(value["ask_to_accept"]), ring_seconds=int(value["ring_seconds"]))


def service_to_json(service: Service) -> dict[str, Any]:
    return {"refresh": service.refresh.total_seconds(), "horizon": service.horizon.total_seconds(),
            "public_urls": list(service.public_urls), "retention": service.retention.total_seconds(),
            "calendar_alert": service.calendar_alert.total_seconds(),
            "transcription": {"engine": service.transcription.engine, "model": service.transcription.model,
                              "services": dict(service.transcription.services)}}


def service_from_json(value: dict[str, Any]) -> Service:
    return Service(refresh=timedelta(seconds=value["refresh"]), horizon=timedelta(seconds=value["horizon"]),
                   public_urls=tuple(value["public_urls"]), retention=timedelta(seconds=value["retention"]),
                   calendar_alert=timedelta(seconds=value.get("calendar_alert", 6 * 3600)),
                   transcription=Transcription(**value.get("transcription", {})))


def settings_of_practice(settings: Settings, practice: Practice, office_ids: set[str]) -> dict[str, Any]:
    """What one practice needs of the settings: itself, the offices it calls on (`office_ids`: its
    chains and those its events name), the service, and the greetings of their languages."""
    wanted = set(practice.closure_chain) | set(practice.after_hours_chain) | office_ids
    offices = [office for office_id, office in settings.offices.items() if office_id in wanted]
    languages = {practice.language, *(office.language for office in offices)}
    return {"practice": practice_to_json(practice),
            "offices": [office_to_json(office) for office in offices],
            "service": service_to_json(settings.service),
            "greetings": {language: dict(texts) for language, texts in settings.greetings.items()
                          if language in languages}}


def settings_from_json(value: dict[str, Any], path: Path = Path("(database)")) -> Settings:
    """A Settings holding one practice (and what it needs), as the web processes use it."""
    offices = [office_from_json(o) for o in value["offices"]]
    return Settings(path=path, practices=(practice_from_json(value["practice"]),),
                    offices={office.id: office for office in offices}, service=service_from_json(value["service"]),
                    greetings={language: dict(texts) for language, texts in value["greetings"].items()})
