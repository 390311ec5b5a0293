"""What callers and covering offices hear: default wording per language, overridable in the
configuration (per language at the top level, per practice), and the voice that speaks it."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from babel.dates import format_date

from config.settings import CoveringOffice, Name, Practice, Settings
from coverage.wording import format_phone, french_first

# <Say> voice per language. The voice must match the `language` attribute or <Say> fails;
# Polly has no Canadian English voice, so en-CA is spoken as en-US.
VOICES = {
    "fr-FR": ("fr-FR", "Polly.Lea-Neural"),
    "fr-CA": ("fr-CA", "Polly.Gabrielle-Neural"),
    "en-US": ("en-US", "Polly.Joanna-Neural"),
    "en-CA": ("en-US", "Polly.Joanna-Neural"),
    "en-GB": ("en-GB", "Polly.Amy-Neural"),
}

_FRENCH = {
    "closed": "Bonjour. {Practice} est {closed}{reason} {reopening}. "
              "{Office} assure la continuité des soins : nous vous mettons en relation.",
    "outside_hours": "Bonjour. {Practice} est {closed} {reopening}. "
                     "{Office} prend le relais : nous vous mettons en relation.",
    "next_office": "Pas de réponse. Nous appelons maintenant {office}.",
    "voicemail": "Personne n'est disponible pour le moment. Laissez votre nom, votre numéro et votre "
                 "message après le bip : {practice} vous rappellera. Vous pouvez aussi appeler "
                 "{office} au {office_phone}. En cas d'urgence vitale, composez le 15.",
    "open_voicemail": "{Practice} ne peut pas vous répondre pour le moment. Laissez votre nom, votre "
                      "numéro et votre message après le bip : nous vous rappellerons.",
    "whisper": "Appel transféré {of_practice}, {closed} {reopening}.",
    "accept_prompt": "Appuyez sur 1 pour prendre l'appel.",
    "thanks": "Merci, votre message est enregistré. Au revoir.",
    "no_message": "Nous n'avons pas reçu de message. Au revoir.",
}

DEFAULT_GREETINGS: dict[str, dict[str, str]] = {
    "fr-FR": _FRENCH,
    "fr-CA": {
        **_FRENCH,
        "voicemail": "Personne n'est disponible pour le moment. Laissez votre nom, votre numéro et votre "
                     "message après le bip : {practice} vous rappellera. Vous pouvez aussi appeler "
                     "{office} au {office_phone}. En cas d'urgence, composez le 9-1-1, ou Info-Santé au 8-1-1.",
    },
    "en-US": {
        "closed": "Hello. {Practice} is closed{reason} {reopening}. "
                  "{Office} is covering for us: we are putting you through.",
        "outside_hours": "Hello. {Practice} is closed {reopening}. "
                         "{Office} is taking our calls: we are putting you through.",
        "next_office": "No answer. We are now calling {office}.",
        "voicemail": "No one is available right now. Please leave your name, number and message after "
                     "the tone, and {practice} will call you back. You can also call {office} at "
                     "{office_phone}. In an emergency, call 9-1-1.",
        "open_voicemail": "{Practice} cannot take your call right now. Please leave your name, number "
                          "and message after the tone, and we will call you back.",
        "whisper": "Call forwarded from {practice}, closed {reopening}.",
        "accept_prompt": "Press 1 to take the call.",
        "thanks": "Thank you, your message has been recorded. Goodbye.",
        "no_message": "We did not receive a message. Goodbye.",
    },
}
DEFAULT_GREETINGS["en-CA"] = DEFAULT_GREETINGS["en-US"]
DEFAULT_GREETINGS["en-GB"] = {
    **DEFAULT_GREETINGS["en-US"],
    "voicemail": "No one is available right now. Please leave your name, number and message after the "
                 "tone, and {practice} will call you back. You can also call {office} on {office_phone}. "
                 "In an emergency, call 999.",
}


def template(settings: Settings, practice: Practice, name: str) -> str:
    """The practice's own wording, else the host's for the language, else the default."""
    return (practice.greetings.get(name)
            or settings.greetings.get(practice.language, {}).get(name)
            or DEFAULT_GREETINGS[practice.language][name])


def office_template(settings: Settings, office: CoveringOffice, name: str) -> str:
    """Wording for a covering office's own staff (the whisper), in the office's language."""
    return settings.greetings.get(office.language, {}).get(name) or DEFAULT_GREETINGS[office.language][name]


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _contracted(name: Name, language: str, le: str, les: str, other: str, english: str) -> str:
    """The spoken name after a French preposition, contracted with its article (de + le = du)."""
    spoken = name.spoken
    if not language.startswith("fr"):
        return f"{english} {spoken}"
    lower = spoken.lower()
    if lower.startswith("le "):
        return f"{le} {spoken[3:]}"
    if lower.startswith("les "):
        return f"{les} {spoken[4:]}"
    return f"{other} {spoken}"


def of_name(name: Name, language: str) -> str:
    """ "du cabinet Dupont", "de la clinique", "de l'officine"."""
    return _contracted(name, language, "du", "des", "de", "from")


def to_name(name: Name, language: str) -> str:
    """ "au cabinet du docteur Martin", "à la permanence", "à l'accueil"."""
    return _contracted(name, language, "au", "aux", "à", "to")


def closed_word(name: Name, language: str) -> str:
    """ "fermé", "fermée" or "fermés", agreeing with the spoken name's article."""
    if not language.startswith("fr"):
        return "closed"
    lower = name.spoken.lower()
    if lower.startswith("la "):
        return "fermée"
    if lower.startswith("les "):
        return "fermés"
    return "fermé"


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
    pattern = "EEEE d MMMM" if french else "EEEE, MMMM d"
    if (local.date() - today).days > 300:
        pattern += " y" if french else ", y"
    day = french_first(format_date(local.date(), pattern, locale=language.replace("-", "_")), language)
    if not with_time:
        return f"jusqu'au {day}" if french else f"until {day}"
    return f"jusqu'au {day}, {clock}" if french else f"until {day} at {clock}"


def spoken_phone(e164: str) -> str:
    """The national form ("01 42 00 11 22"), read by <Say> the way people say numbers."""
    return format_phone(e164, national=True)


def whisper_text(settings: Settings, practice: Practice, office: CoveringOffice, reopening: str) -> str:
    """What the covering office hears before a call is connected, in the office's language."""
    values = {"practice": practice.name.spoken, "Practice": capitalized(practice.name.spoken),
              "of_practice": of_name(practice.name, office.language),
              "closed": closed_word(practice.name, office.language), "reopening": reopening}
    return office_template(settings, office, "whisper").format(**values)
