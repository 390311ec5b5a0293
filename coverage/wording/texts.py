"""The wording of the texts Relève sends, per language, overridable per practice (`texts:`).

Automatic replies must stay within two SMS segments: written in the GSM-7 alphabet (é, è, à, ù
are in it; ç, ê, â, ’ and « » are not) a reply may be 306 characters; a single character outside
it and the limit falls to 134. `config check` warns about a text that does not fit.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from config.settings import CoveringOffice, Practice
from coverage.wording.dates import written_reopening
from coverage.wording.names import capitalized, closed_word, to_name
from coverage.wording.numbers import format_phone, same_country
from coverage.wording.segments import non_gsm_characters, segments

MAX_SEGMENTS = 2
MAX_BODY = 1600  # Twilio's limit for one message

# Accents that keep GSM-7 (é è à ù) are used; the default French wording avoids the others.
_FRENCH = {
    "auto_reply": "{Practice} est {closed} {reopening}. Votre message a été transmis {to_office}, "
                  "joignable au {office_phone}.",
    "text_back": "{practice} n'a pas pu prendre votre appel. Nous vous rappellerons dès que possible.",
    "forward": "[{practice}] SMS de {sender} : {body}",
    "media": "{count} photo(s) jointe(s), à voir ici : {links}",
}
DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "fr-FR": _FRENCH,
    "fr-CA": _FRENCH,
    "en-US": {
        "auto_reply": "{Practice} is closed {reopening}. Your message was passed on {to_office}, "
                      "who you can reach at {office_phone}.",
        "text_back": "{practice} could not take your call. We will call you back as soon as we can.",
        "forward": "[{practice}] Text from {sender}: {body}",
        "media": "{count} picture(s) attached, see: {links}",
    },
}
DEFAULT_TEXTS["en-CA"] = DEFAULT_TEXTS["en-GB"] = DEFAULT_TEXTS["en-US"]


def text(practice: Practice, name: str, **values: str) -> str:
    """A text filled in, in the practice's language, with its own wording when it has one."""
    wording = practice.texts.get(name) or DEFAULT_TEXTS[practice.language][name]
    return wording.format(practice=practice.name.written, **values)


def auto_reply(practice: Practice, office: CoveringOffice, reopens_at: datetime | None, now: datetime) -> str:
    """The one reply a patient gets per closure: closed until when, and who has the message."""
    # {closed} ("fermée" for "la clinique") and {to_office} ("au cabinet du docteur Martin")
    # agree with the names; an override written for one practice may use them or not.
    local = same_country(office.phone, practice.numbers[0])
    return text(practice, "auto_reply", closed=closed_word(practice.name, practice.language),
                Practice=capitalized(practice.name.spoken), to_office=to_name(office.name, practice.language),
                reopening=written_reopening(reopens_at, now, practice.language),
                office=office.name.written, office_phone=format_phone(office.phone, national=local))


def length_warnings(practices: tuple[Practice, ...], offices: dict[str, CoveringOffice]) -> list[str]:
    """Automatic texts that would take more than two SMS segments, with the longest values a
    practice's own offices and dates give them: what `config check` warns about."""
    longest_day = datetime(2027, 9, 29, 12, 30)  # "mercredi 29 septembre à 12 h 30": a long date
    found = []
    for practice in practices:
        chain = dict.fromkeys((*practice.closure_chain, *practice.after_hours_chain))
        samples = {"text_back": [text(practice, "text_back")]}
        # A far reopening writes the day in full: the longest form of the text.
        samples["auto_reply"] = [auto_reply(practice, offices[o], longest_day, longest_day - timedelta(days=5))
                                 for o in chain if o in offices]
        for name, bodies in samples.items():
            for body in bodies:
                count = segments(body)
                if count <= MAX_SEGMENTS:
                    continue
                odd = non_gsm_characters(body)
                why = (f"the characters {' '.join(odd)} switch it to UCS-2 (70 characters a segment)" if odd
                       else "it is too long")
                found.append(f"practice {practice.id}: the {name} text takes {count} SMS segments, more than "
                             f"{MAX_SEGMENTS}: {why}. Shorten it under texts.{name}, or the names in it: {body!r}")
                break
    return found
