"""What callers and covering offices hear: default wording per language, overridable in the
configuration (per language at the top level, per practice). The voice that speaks it is TwiML's
business (routing.twiml); this module only says what is said."""
from __future__ import annotations

from datetime import datetime

from config.phones import region_of
from config.settings import CoveringOffice, Practice, Settings
from coverage.schedule import Answer
from coverage.wording.dates import spoken_reopening, spoken_when
from coverage.wording.names import capitalized, closed_word, of_name
from coverage.wording.numbers import spoken_phone
from coverage.wording.reasons import spoken_reason

_FRENCH = {
    "closed": "Bonjour. {Practice} est {closed}{reason}. {reopens} {Office} {covering} : "
              "nous vous mettons en relation.",
    "outside_hours": "Bonjour. {Practice} est {closed}. {reopens} {Office} {covering} : nous vous mettons en relation.",
    "next_office": "{why} Nous appelons maintenant {office}.",
    # Every office of the chain was tried: none is offered again; what to do in an emergency, when
    # the message will be heard and that it is recorded all come before the beep, not after it.
    "voicemail": "Personne n'a pu prendre votre appel. {emergency} {heard} {kept} Laissez votre nom, votre numéro "
                 "et votre message après le bip.",
    "open_voicemail": "{Practice} ne peut pas vous répondre pour le moment. {emergency} {heard} {kept} Laissez "
                      "votre nom, votre numéro et votre message après le bip.",
    "whisper": "Appel transféré {of_practice}, {reopens}.",
    "accept_prompt": "Appuyez sur 1 pour prendre l'appel.",
    "thanks": "Merci, votre message est enregistré. Au revoir.",
    "no_message": "Nous n'avons pas reçu de message. Au revoir.",
}
_ENGLISH = {
    "closed": "Hello. {Practice} is closed{reason}. {reopens} {Office} {covering}: we are putting you through.",
    "outside_hours": "Hello. {Practice} is closed. {reopens} {Office} {covering}: we are putting you through.",
    "next_office": "{why} We are now calling {office}.",
    "voicemail": "No one could take your call. {emergency} {heard} {kept} Please leave your name, number and "
                 "message after the tone.",
    "open_voicemail": "{Practice} cannot take your call right now. {emergency} {heard} {kept} Please leave your "
                      "name, number and message after the tone.",
    "whisper": "Call forwarded from {practice}, {reopens}.",
    "accept_prompt": "Press 1 to take the call.",
    "thanks": "Thank you, your message has been recorded. Goodbye.",
    "no_message": "We did not receive a message. Goodbye.",
}

DEFAULT_GREETINGS: dict[str, dict[str, str]] = {
    "fr-FR": _FRENCH,
    "fr-CA": _FRENCH,
    "en-US": _ENGLISH,
    "en-CA": _ENGLISH,
    "en-GB": _ENGLISH,
}

# The sentences around the reopening: the day and the hour are always said together
# (coverage.wording.dates.spoken_when).
_REOPENS = {
    "fr": ("Nous rouvrirons {when}.", "qui rouvre {when}", "{closed} pour le moment"),
    "en": ("We reopen {when}.", "which reopens {when}", "closed for now"),
}
# When a voicemail is listened to, so that nobody believes it is heard at once; and that it is
# recorded and kept, told before it is, as the CNIL asks.
_HEARD = {
    "fr": ("Votre message sera écouté à notre réouverture, {when}.",
           "Votre message sera écouté à notre réouverture.",
           "Votre message sera écouté dès que possible pendant nos heures d'ouverture."),
    "en": ("Your message will be listened to when we reopen, {when}.",
           "Your message will be listened to when we reopen.",
           "Your message will be listened to as soon as possible during our opening hours."),
}
_KEPT = {
    "fr": "Il est enregistré pour que nous puissions vous rappeler, puis effacé après {days} jours.",
    "en": "It is recorded so that we can call you back, and deleted after {days} days.",
}


# What happened to the dial, said before the next office is tried: busy is not "no answer".
_WHY = {
    "fr": {"busy": "La ligne est occupée.", "no-answer": "Pas de réponse.", "declined": "L'appel n'a pas pu être pris.",
           "": "L'appel n'a pas pu aboutir."},
    "en": {"busy": "The line is busy.", "no-answer": "No answer.", "declined": "The call could not be taken.",
           "": "The call did not go through."},
}


def why_not(status: str, language: str) -> str:
    """The dial's outcome in words (Twilio's DialCallStatus, or "declined" at the whisper)."""
    words = _WHY[language[:2]]
    return words.get(status, words[""])

# The public lines callers are given, by country, for health practices: France's SAMU (15), the
# emergency number and the health-advice line of Canada (9-1-1, Info-Santé / HealthLink 8-1-1), of
# the United Kingdom (999, NHS 111), of the United States (9-1-1); 112 anywhere else in Europe.
_HEALTH_EMERGENCY = {
    ("fr", "FR"): "En cas d'urgence vitale, composez le 15.",
    ("fr", "CA"): "En cas d'urgence, composez le 9-1-1. Pour un conseil santé, appelez Info-Santé au 8-1-1.",
    ("fr", ""): "En cas d'urgence, composez le 112.",
    ("en", "CA"): "In an emergency, call 9-1-1. For health advice, call 8-1-1.",
    ("en", "US"): "In an emergency, call 9-1-1.",
    ("en", "GB"): "In an emergency, call 999. For urgent medical advice, call 111.",
    ("en", ""): "In an emergency, call 112.",
}
_ANIMAL_EMERGENCY = {
    "fr": "Pour une urgence concernant votre animal, appelez {name} au {phone}.",
    "en": "If your animal needs urgent care, call {name} at {phone}.",
}
_COVERING = {("fr", True): "assure la continuité des soins", ("fr", False): "prend nos appels",
             ("en", True): "is covering for us", ("en", False): "is taking our calls"}


def emergency_sentence(practice: Practice) -> str:
    """What a caller is told to do in an emergency, for the practice's profession and country: the
    public lines for health practices; for a vet, the on-duty service it gives (a human health line
    is no help for an animal); nothing for notaries, accountants and others."""
    language = practice.language[:2]
    if practice.is_health:
        country = region_of(practice.numbers[0])
        return _HEALTH_EMERGENCY.get((language, country)) or _HEALTH_EMERGENCY[(language, "")]
    if practice.profession == "vet" and practice.emergency_line is not None:
        return _ANIMAL_EMERGENCY[language].format(name=practice.emergency_line.name,
                                                  phone=spoken_phone(practice.emergency_line.phone))
    return ""


def template(settings: Settings, practice: Practice, name: str) -> str:
    """The practice's own wording, else the host's for the language, else the default."""
    return (practice.greetings.get(name)
            or settings.greetings.get(practice.language, {}).get(name)
            or DEFAULT_GREETINGS[practice.language][name])


def office_template(settings: Settings, office: CoveringOffice, name: str) -> str:
    """Wording for a covering office's own staff (the whisper), in the office's language."""
    return settings.greetings.get(office.language, {}).get(name) or DEFAULT_GREETINGS[office.language][name]


def whisper_text(settings: Settings, practice: Practice, office: CoveringOffice, reopens_at: datetime | None,
                 now: datetime) -> str:
    """What the covering office hears before a call is connected, in the office's language: whose
    call it is and when the practice reopens, day and hour."""
    language = office.language
    _, which, unknown = _REOPENS[language[:2]]
    when = spoken_when(reopens_at, now, language)
    closed = closed_word(practice.name, language)
    values = {"practice": practice.name.spoken, "Practice": capitalized(practice.name.spoken),
              "of_practice": of_name(practice.name, language), "closed": closed,
              "reopening": spoken_reopening(reopens_at, now, language),
              "reopens": which.format(when=when) if when else unknown.format(closed=closed)}
    return " ".join(office_template(settings, office, "whisper").format(**values).split())


def greeting(settings: Settings, practice: Practice, name: str, **values: str) -> str:
    """A greeting filled in: the practice's names are always available."""
    spoken = practice.name.spoken
    values = {"practice": spoken, "Practice": capitalized(spoken),
              "closed": closed_word(practice.name, practice.language),
              "covering": _COVERING[(practice.language[:2], practice.is_health)],
              "emergency": emergency_sentence(practice), **values}
    if "office" in values:
        values["Office"] = capitalized(values["office"])
    return " ".join(template(settings, practice, name).format(**values).split())


def _reopening_values(practice: Practice, reopens_at: datetime | None, now: datetime) -> dict[str, str]:
    language = practice.language
    when = spoken_when(reopens_at, now, language)
    return {"reopening": spoken_reopening(reopens_at, now, language), "when": when,
            "reopens": _REOPENS[language[:2]][0].format(when=when) if when else ""}


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
    language = practice.language[:2]
    when = spoken_when(reopens_at, now, practice.language) if now is not None else ""
    known, unknown, open_ = _HEARD[language]
    heard = open_ if is_open or not chain else known.format(when=when) if when else unknown
    kept = _KEPT[language].format(days=settings.service.retention.days)
    if is_open or not chain:
        return greeting(settings, practice, "open_voicemail", heard=heard, kept=kept)
    office = settings.offices[chain[0]]
    return greeting(settings, practice, "voicemail", office=office.name.spoken, office_phone=spoken_phone(office.phone),
                    heard=heard, kept=kept)
