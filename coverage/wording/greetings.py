"""What callers and covering offices hear: default wording per language, overridable in the
configuration (per language at the top level, per practice). The voice that speaks it is TwiML's
business (routing.twiml); this module only says what is said."""
from __future__ import annotations

from datetime import datetime

from config.phones import region_of
from config.settings import CoveringOffice, Practice, Settings
from coverage.schedule import Answer
from coverage.wording.catalogs import English, say, say_counted
from coverage.wording.dates import spoken_reopening, spoken_when
from coverage.wording.names import capitalized, closed_word, of_name
from coverage.wording.numbers import spoken_phone
from coverage.wording.reasons import spoken_reason

# What is said, in English; every other language in the catalogs (coverage.wording.catalogs). The
# greetings (`say.<name>`) may be overridden in the configuration, per language or per practice.
ENGLISH: English = {
    "say.closed": "Hello. {Practice} is {closed}{reason}. {reopens} {Office} {covering}: we are putting you through.",
    "say.outside_hours": "Hello. {Practice} is {closed}. {reopens} {Office} {covering}: we are putting you through.",
    "say.next_office": "{why} We are now calling {office}.",
    # Every office of the chain was tried: none is offered again; what to do in an emergency, when
    # the message will be heard and that it is recorded all come before the beep, not after it.
    "say.voicemail": "No one could take your call. {emergency} {heard} {kept} Please leave your name, number and "
                     "message after the tone.",
    "say.open_voicemail": "{Practice} cannot take your call right now. {emergency} {heard} {kept} Please leave "
                          "your name, number and message after the tone.",
    "say.whisper": "Call forwarded from {practice}, {reopens}.",
    "say.accept_prompt": "Press 1 to take the call.",
    "say.thanks": "Thank you, your message has been recorded. Goodbye.",
    "say.no_message": "We did not receive a message. Goodbye.",
    # Before the beep, after what the voicemail says: the caller may mark the message as urgent.
    "say.urgent_prompt": "If it is urgent, press 1 now.",
    "say.urgent_noted": "Your message will be flagged as possibly urgent. Please speak after the tone.",
    # The sentences around the reopening: the day and the hour are always said together
    # (coverage.wording.dates.spoken_when).
    "say.reopens": "We reopen {when}.",
    "say.reopens.which": "which reopens {when}",
    "say.reopens.unknown": "{closed} for now",
    # When a voicemail is listened to, so that nobody believes it is heard at once; and that it is
    # recorded and kept, told before it is, as the CNIL asks.
    "say.heard": "Your message will be listened to when we reopen, {when}.",
    "say.heard.reopening": "Your message will be listened to when we reopen.",
    "say.heard.open": "Your message will be listened to as soon as possible during our opening hours.",
    "say.kept": ("It is recorded so that we can call you back, and deleted after {days} day.",
                 "It is recorded so that we can call you back, and deleted after {days} days."),
    # What happened to the dial, said before the next office is tried: busy is not "no answer".
    "say.why.busy": "The line is busy.",
    "say.why.no-answer": "No answer.",
    "say.why.declined": "The call could not be taken.",
    "say.why": "The call did not go through.",
    # The public lines a health practice's callers are given, by the country of its number:
    # France's SAMU (15), Canada's 9-1-1 and health-advice line (Info-Santé, HealthLink: 8-1-1),
    # the United Kingdom's 999 and NHS 111, the United States' 9-1-1; 112 anywhere else.
    "say.emergency.FR": "In a life-threatening emergency, call 15.",
    "say.emergency.CA": "In an emergency, call 9-1-1. For health advice, call 8-1-1.",
    "say.emergency.US": "In an emergency, call 9-1-1.",
    "say.emergency.GB": "In an emergency, call 999. For urgent medical advice, call 111.",
    "say.emergency": "In an emergency, call 112.",
    "say.emergency.animal": "If your animal needs urgent care, call {name} at {phone}.",
    # What the covering office does: a health practice's keeps the continuity of care.
    "say.covering.health": "is covering for us",
    "say.covering": "is taking our calls",
}
_COUNTRIES = frozenset(key.rsplit(".", 1)[1] for key in ENGLISH if key.startswith("say.emergency.") and
                       key[-2:].isupper())


def _say(language: str, key: str, **values: object) -> str:
    english = ENGLISH[key]
    if isinstance(english, tuple):
        return say_counted(language, key, english, int(str(values["days"]))).format(**values)
    return say(language, key, english).format(**values)


def why_not(status: str, language: str) -> str:
    """The dial's outcome in words (Twilio's DialCallStatus, or "declined" at the whisper)."""
    key = f"say.why.{status}"
    return _say(language, key if key in ENGLISH else "say.why")


def emergency_sentence(practice: Practice) -> str:
    """What a caller is told to do in an emergency, for the practice's profession and country: the
    public lines for health practices; for a vet, the on-duty service it gives (a human health line
    is no help for an animal); nothing for notaries, accountants and others."""
    language = practice.language
    if practice.is_health:
        country = region_of(practice.numbers[0])
        return _say(language, f"say.emergency.{country}" if country in _COUNTRIES else "say.emergency")
    if practice.profession == "vet" and practice.emergency_line is not None:
        return _say(language, "say.emergency.animal", name=practice.emergency_line.name,
                    phone=spoken_phone(practice.emergency_line.phone))
    return ""


def default_greeting(language: str, name: str) -> str:
    """The default wording of the greeting `name` in the language, from its catalog."""
    english = ENGLISH[f"say.{name}"]
    assert isinstance(english, str)
    return say(language, f"say.{name}", english)


def template(settings: Settings, practice: Practice, name: str) -> str:
    """The practice's own wording, else the host's for the language, else the default."""
    return (practice.greetings.get(name)
            or settings.greetings.get(practice.language, {}).get(name)
            or default_greeting(practice.language, name))


def office_template(settings: Settings, office: CoveringOffice, name: str) -> str:
    """Wording for a covering office's own staff (the whisper), in the office's language."""
    return settings.greetings.get(office.language, {}).get(name) or default_greeting(office.language, name)


def whisper_text(settings: Settings, practice: Practice, office: CoveringOffice, reopens_at: datetime | None,
                 now: datetime) -> str:
    """What the covering office hears before a call is connected, in the office's language: whose
    call it is and when the practice reopens, day and hour."""
    language = office.language
    when = spoken_when(reopens_at, now, language)
    closed = closed_word(practice.name, language)
    values = {"practice": practice.name.spoken, "Practice": capitalized(practice.name.spoken),
              "of_practice": of_name(practice.name, language), "closed": closed,
              "reopening": spoken_reopening(reopens_at, now, language),
              "reopens": _say(language, "say.reopens.which", when=when) if when
              else _say(language, "say.reopens.unknown", closed=closed)}
    return " ".join(office_template(settings, office, "whisper").format(**values).split())


def greeting(settings: Settings, practice: Practice, name: str, **values: str) -> str:
    """A greeting filled in: the practice's names are always available."""
    spoken = practice.name.spoken
    values = {"practice": spoken, "Practice": capitalized(spoken),
              "closed": closed_word(practice.name, practice.language),
              "covering": _say(practice.language, "say.covering.health" if practice.is_health else "say.covering"),
              "emergency": emergency_sentence(practice), **values}
    if "office" in values:
        values["Office"] = capitalized(values["office"])
    return " ".join(template(settings, practice, name).format(**values).split())


def _reopening_values(practice: Practice, reopens_at: datetime | None, now: datetime) -> dict[str, str]:
    language = practice.language
    when = spoken_when(reopens_at, now, language)
    return {"reopening": spoken_reopening(reopens_at, now, language), "when": when,
            "reopens": _say(language, "say.reopens", when=when) if when else ""}


def closed_greeting(settings: Settings, practice: Practice, answer: Answer, now: datetime) -> str:
    """What a caller hears when the practice is closed: why, when it reopens, and who answers."""
    first = settings.offices[answer.chain[0]]
    values = _reopening_values(practice, answer.reopens_at, now)
    if answer.closure is None:
        return greeting(settings, practice, "outside_hours", office=first.name.spoken, **values)
    return greeting(settings, practice, "closed", reason=spoken_reason(answer.closure, practice.language),
                    office=first.name.spoken, **values)


def voicemail_text(settings: Settings, practice: Practice, chain: tuple[str, ...], *, is_open: bool,
                   reopens_at: datetime | None = None, now: datetime | None = None) -> str:
    """What a caller hears before the beep: the emergency line, when the message will be heard,
    that it is recorded and for how long. No office is offered again: the chain was tried."""
    language = practice.language
    when = spoken_when(reopens_at, now, language) if now is not None else ""
    heard = (_say(language, "say.heard.open") if is_open or not chain
             else _say(language, "say.heard", when=when) if when else _say(language, "say.heard.reopening"))
    kept = _say(language, "say.kept", days=settings.service.retention.days)
    if is_open or not chain:
        return greeting(settings, practice, "open_voicemail", heard=heard, kept=kept)
    office = settings.offices[chain[0]]
    return greeting(settings, practice, "voicemail", office=office.name.spoken, office_phone=spoken_phone(office.phone),
                    heard=heard, kept=kept)
