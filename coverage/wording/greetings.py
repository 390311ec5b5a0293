"""What callers and covering offices hear: default wording per language, overridable in the
configuration (per language at the top level, per practice). The voice that speaks it is TwiML's
business (routing.twiml); this module only says what is said."""
from __future__ import annotations

from datetime import datetime

from config.phones import region_of
from config.settings import CoveringOffice, Practice, Settings
from coverage.schedule import Answer
from coverage.wording.dates import spoken_reopening
from coverage.wording.names import capitalized, closed_word, of_name
from coverage.wording.numbers import spoken_phone

_FRENCH = {
    "closed": "Bonjour. {Practice} est {closed}{reason} {reopening}. "
              "{Office} {covering} : nous vous mettons en relation.",
    "outside_hours": "Bonjour. {Practice} est {closed} {reopening}. "
                     "{Office} prend le relais : nous vous mettons en relation.",
    "next_office": "{why} Nous appelons maintenant {office}.",
    # Every office of the chain was tried: none is offered again, and what to do in an emergency
    # comes before the beep, not after it.
    "voicemail": "Personne n'a pu prendre votre appel. {emergency} Laissez votre nom, votre numéro et votre "
                 "message après le bip : {practice} vous rappellera.",
    "open_voicemail": "{Practice} ne peut pas vous répondre pour le moment. Laissez votre nom, votre "
                      "numéro et votre message après le bip : nous vous rappellerons.",
    "whisper": "Appel transféré {of_practice}, {closed} {reopening}.",
    "accept_prompt": "Appuyez sur 1 pour prendre l'appel.",
    "thanks": "Merci, votre message est enregistré. Au revoir.",
    "no_message": "Nous n'avons pas reçu de message. Au revoir.",
}

DEFAULT_GREETINGS: dict[str, dict[str, str]] = {
    "fr-FR": _FRENCH,
    "fr-CA": _FRENCH,
    "en-US": {
        "closed": "Hello. {Practice} is closed{reason} {reopening}. "
                  "{Office} is covering for us: we are putting you through.",
        "outside_hours": "Hello. {Practice} is closed {reopening}. "
                         "{Office} is taking our calls: we are putting you through.",
        "next_office": "{why} We are now calling {office}.",
        "voicemail": "No one could take your call. {emergency} Please leave your name, number and message "
                     "after the tone, and {practice} will call you back.",
        "open_voicemail": "{Practice} cannot take your call right now. Please leave your name, number "
                          "and message after the tone, and we will call you back.",
        "whisper": "Call forwarded from {practice}, closed {reopening}.",
        "accept_prompt": "Press 1 to take the call.",
        "thanks": "Thank you, your message has been recorded. Goodbye.",
        "no_message": "We did not receive a message. Goodbye.",
    },
}
DEFAULT_GREETINGS["en-CA"] = DEFAULT_GREETINGS["en-US"]
DEFAULT_GREETINGS["en-GB"] = DEFAULT_GREETINGS["en-US"]

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


def whisper_text(settings: Settings, practice: Practice, office: CoveringOffice, reopening: str) -> str:
    """What the covering office hears before a call is connected, in the office's language."""
    values = {"practice": practice.name.spoken, "Practice": capitalized(practice.name.spoken),
              "of_practice": of_name(practice.name, office.language),
              "closed": closed_word(practice.name, office.language), "reopening": reopening}
    return office_template(settings, office, "whisper").format(**values)


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


def closed_greeting(settings: Settings, practice: Practice, answer: Answer, now: datetime) -> str:
    """What a caller hears when the practice is closed: why, until when, and who answers."""
    first = settings.offices[answer.chain[0]]
    reopening = spoken_reopening(answer.reopens_at, now, practice.language)
    if answer.closure is None:
        return greeting(settings, practice, "outside_hours", reopening=reopening, office=first.name.spoken)
    title = answer.closure.summary.strip()
    reason = (f" pour {title}" if practice.language.startswith("fr") else f" for {title}") if title else ""
    return greeting(settings, practice, "closed", reason=reason, reopening=reopening, office=first.name.spoken)


def voicemail_text(settings: Settings, practice: Practice, chain: tuple[str, ...], *, is_open: bool) -> str:
    """What a caller hears before the beep: where else to call, and the emergency number."""
    if is_open or not chain:
        return greeting(settings, practice, "open_voicemail")
    office = settings.offices[chain[0]]
    return greeting(settings, practice, "voicemail", office=office.name.spoken, office_phone=spoken_phone(office.phone))
