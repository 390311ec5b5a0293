"""The wording of the texts Relève sends, per language, overridable per practice (`texts:`).

Automatic replies must stay within two SMS segments, and in the GSM-7 alphabet where the wording
allows (é, è, à, ù are in it; ç, ê, â, û, ’ and « » are not): a single character outside it and a
segment holds 70 characters instead of 160. So dates are written « samedi 29/08 à 12 h 30 »: a
month's name would put « août » and its û in the summer-vacation texts. `config check` counts
every automatic text with every month and the longest dates, and warns about one that does not
fit, saying what it costs.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from config.settings import CoveringOffice, Practice
from coverage.wording.catalogs import English, say, say_counted
from coverage.wording.dates import written_reopening, written_when
from coverage.wording.names import capitalized, closed_word, to_written, with_article
from coverage.wording.numbers import format_phone, same_country
from coverage.wording.segments import encoding, non_gsm_characters, segments

MAX_SEGMENTS = 2
MAX_BODY = 1600  # Twilio's limit for one message

# The texts in English; every other language in the catalogs (coverage.wording.catalogs), whose
# `_sms` entries stay in GSM-7. The first four may be overridden per practice (`texts:`).
ENGLISH: English = {
    "auto_reply_sms": "{Practice} is {closed}. {reopens} Your message was passed on {to_office}, "
                      "who you can reach at {office_phone}.",
    "text_back_sms": "{Practice} could not take your call. We will call you back as soon as we can.",
    "forward_sms": "[{practice}] Text from {sender}: {body}",
    "media_sms": "{photos}, see: {links}",
    "reopens_sms": "We reopen {when}.",
    "photos_sms": ("{count} picture attached", "{count} pictures attached"),
}


def default_text(language: str, name: str) -> str:
    """The default wording of the text `name` in the language, from its catalog."""
    english = ENGLISH[f"{name}_sms"]
    assert isinstance(english, str)
    return say(language, f"{name}_sms", english)


def photos(count: int, language: str) -> str:
    """ "1 photo jointe", "3 photos jointes": French counts 0 and 1 in the singular."""
    forms = ENGLISH["photos_sms"]
    assert isinstance(forms, tuple)
    return say_counted(language, "photos_sms", forms, count).format(count=count)


def text(practice: Practice, name: str, **values: str) -> str:
    """A text filled in, in the practice's language, with its own wording when it has one."""
    wording = practice.texts.get(name) or default_text(practice.language, name)
    named = with_article(practice.name, practice.language)
    return wording.format(practice=practice.name.written, Practice=capitalized(named), **values)


def media_text(practice: Practice, count: int, links: str) -> str:
    return text(practice, "media", count=str(count), photos=photos(count, practice.language), links=links)


def auto_reply(practice: Practice, office: CoveringOffice, reopens_at: datetime | None, now: datetime) -> str:
    """The one reply a patient gets per closure: closed until when, and who has the message."""
    # {closed} ("fermée" for "la clinique") and {to_office} ("au cabinet du Dr Martin") agree
    # with the names; an override written for one practice may use them or not.
    local = same_country(office.phone, practice.numbers[0])
    language = practice.language
    when = written_when(reopens_at, now, language)
    reopens = default_text(language, "reopens").format(when=when) if when else ""
    body = text(practice, "auto_reply", closed=closed_word(practice.name, language),
                to_office=to_written(office.name, language), reopens=reopens,
                reopening=written_reopening(reopens_at, now, language),
                office=office.name.written, office_phone=format_phone(office.phone, national=local))
    return " ".join(body.split())


def length_warnings(practices: tuple[Practice, ...], offices: dict[str, CoveringOffice]) -> list[str]:
    """Automatic texts that would take more than two SMS segments, with the longest values a
    practice's own offices and dates give them, on a day of every month (a month's name in an
    override may force UCS-2, as « août » does): what `config check` warns about."""
    found = []
    for practice in practices:
        chain = dict.fromkeys((*practice.closure_chain, *practice.after_hours_chain))
        samples = {"text_back": [text(practice, "text_back")], "auto_reply": []}
        for month in range(1, 13):
            # The 28th (two digits) of each month, a Wednesday where it can be (the longest day name).
            day = max((datetime(2027 + k, month, 28, 12, 30) for k in range(7)),
                      key=lambda d: (d.weekday() == 2, -d.year))
            # A far reopening writes the day in full: the longest form of the text.
            samples["auto_reply"] += [auto_reply(practice, offices[o], day, day - timedelta(days=5))
                                      for o in chain if o in offices]
        for name, bodies in samples.items():
            worst = max(bodies, key=segments, default=None)
            if worst is None or segments(worst) <= MAX_SEGMENTS:
                continue
            count, odd = segments(worst), non_gsm_characters(worst)
            why = (f"the characters {' '.join(odd)} switch it to {encoding(worst)} (70 characters a segment)" if odd
                   else "it is too long")
            found.append(f"practice {practice.id}: the {name} text takes {count} SMS segments, more than "
                         f"{MAX_SEGMENTS} (each one is billed): {why}. Shorten it under texts.{name}, or the names "
                         f"in it: {worst!r}")
    return found
