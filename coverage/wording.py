"""Dates, times and labels written the way the practice's language writes them."""
from __future__ import annotations

import re
from datetime import datetime, time
from typing import TYPE_CHECKING

import phonenumbers
from babel.dates import format_date, format_time

if TYPE_CHECKING:
    from coverage.plan import PlanEntry

_LABELS = {
    "fr": {
        "open": "Ouvert",
        "closed": "Fermé",
        "outside_hours": "en dehors des heures d'ouverture",
        "closure": "Fermeture",
        "covered_by": "Couvert par",
        "reopens": "Réouverture",
        "no_reopening": "pas de réouverture prévue dans le calendrier",
        "times": "{count} fois",
        "from_to": "du {first} au {last}",
        "plan": "Fermetures à venir",
        "no_closure": "Aucune fermeture prévue",
        "at": "à",
        "then": "puis",
    },
    "en": {
        "open": "Open",
        "closed": "Closed",
        "outside_hours": "outside opening hours",
        "closure": "Closure",
        "covered_by": "Covered by",
        "reopens": "Reopens",
        "no_reopening": "no reopening in the calendar",
        "times": "{count} times",
        "from_to": "from {first} to {last}",
        "plan": "Upcoming closures",
        "no_closure": "No closure planned",
        "at": "at",
        "then": "then",
    },
}


def label(key: str, language: str) -> str:
    """A fixed word of the interface in the practice's language (French or English)."""
    return _LABELS.get(language[:2], _LABELS["en"])[key]


def format_phone(e164: str, *, national: bool = False) -> str:
    """ "+33 1 42 00 11 22" as people read a number (the settings keep E.164); `national` gives
    "01 42 00 11 22", which <Say> reads the way people say numbers."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


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


def format_clock(instant: datetime, language: str) -> str:
    """French writes and reads "9 h" and "12 h 30"; English "9:00 AM"."""
    if language.startswith("fr"):
        return f"{instant.hour} h" if instant.minute == 0 else f"{instant.hour} h {instant.minute:02d}"
    return format_time(instant.time(), format="short", locale=_locale(language))


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


_NOTICE_WORDS = {
    "fr": {
        "briefing_subject": "Fiche de liaison : vous couvrez {practice} ({span})",
        "update_subject": "Modification : couverture {of_practice} ({span})",
        "start_subject": "Début de couverture : {practice}",
        "end_subject": "Fin de couverture : {practice}",
        "cancellation_subject": "Annulation : vous ne couvrez plus {practice} ({span})",
        "cancellation_sms": "Relève : la fermeture {of_practice} ({span}) est annulée ou ne passe plus par vous. "
                            "Vous ne recevrez pas ses appels.",
        "follow_up_subject": "{practice} : {patients} patient(s) pendant la fermeture, {to_call} à rappeler",
        "briefing": "Fiche de liaison",
        "update_intro": "Les dates ont changé depuis la fiche précédente. Voici la fiche à jour.",
        "intro": "Vous assurez la continuité pour {practice}.",
        "start_sms": "Relève : à partir de maintenant vous couvrez {practice}, {span}. Réouverture : {reopening}. "
                     "Fiche : {link}",
        "end_sms": "Relève : fin de la couverture {of_practice}. Merci ! Contacts transmis : {link}",
        "dates": "Dates",
        "reopening": "Réouverture",
        "position": "Vous êtes appelé en position {position} sur {total}",
        "chain": "Ordre des appels",
        "nights": "Hors des heures d'ouverture (soirs, nuits, week-ends)",
        "nights_you": "Vous prenez les appels hors des heures d'ouverture du cabinet.",
        "practice": "Le cabinet",
        "name": "Nom",
        "numbers": "Numéro des patients",
        "front_desk": "Accueil",
        "email": "Email",
        "urgent": "En cas de problème grave, joindre",
        "no_urgent": "Aucun contact d'urgence n'a été indiqué.",
        "you_receive": "Ce que vous recevez",
        "calls": "Les appels des patients, transférés avec leur numéro. Avant chaque appel, vous entendez :",
        "press_1": "Appuyez sur 1 pour prendre l'appel ; sans réponse, l'appel passe au suivant.",
        "texts": "Les SMS des patients, transférés à",
        "no_texts": "Les SMS des patients sont transmis au premier cabinet de la liste.",
        "callers_hear": "Ce qu'entendent les patients",
        "instructions": "Consignes du cabinet",
        "closure_notes": "Pour cette fermeture",
        "no_instructions": "Aucune consigne particulière.",
        "contacts_link": "Les contacts transférés pendant cette fermeture",
        "contacts": "Contacts transférés",
        "no_contacts": "Aucun contact pour l'instant.",
        "follow_up": "Liste de rappel",
        "to_call": "à rappeler",
        "done": "Rappelé",
        "mark_done": "Marquer comme rappelé",
        "withheld": "Numéro masqué : impossible de rappeler",
        "call": "Appel",
        "text": "SMS",
        "taken_by": "Pris par {office}",
        "front_desk_took": "Pris par l'accueil",
        "voicemail": "Message vocal",
        "listen": "écouter",
        "hung_up": "A raccroché sans laisser de message",
        "text_forwarded": "SMS transmis",
        "opted_out": "A demandé à ne plus recevoir de SMS",
        "unknown": "Issue inconnue",
        "expired": "Ce lien a expiré ou n'est pas valide.",
        "cancelled": "Cette fermeture a été annulée ou ne passe plus par vous.",
        "summary": "{patients} patient(s), {calls} appel(s), {texts} SMS ; {to_call} à rappeler.",
        "print": "Imprimer",
    },
    "en": {
        "briefing_subject": "Briefing: you are covering for {practice} ({span})",
        "update_subject": "Change: covering for {practice} ({span})",
        "start_subject": "Coverage starts: {practice}",
        "end_subject": "Coverage ends: {practice}",
        "cancellation_subject": "Cancelled: you no longer cover {practice} ({span})",
        "cancellation_sms": "Relève: the closure of {practice} ({span}) is cancelled or no longer goes to you. "
                            "You will not receive its calls.",
        "follow_up_subject": "{practice}: {patients} patient(s) during the closure, {to_call} to call back",
        "briefing": "Briefing sheet",
        "update_intro": "The dates have changed since the previous sheet. Here is the up-to-date sheet.",
        "intro": "You are covering for {practice}.",
        "start_sms": "Relève: from now on you are covering for {practice}, {span}. Reopens {reopening}. "
                     "Sheet: {link}",
        "end_sms": "Relève: coverage of {practice} has ended. Thank you! Contacts forwarded: {link}",
        "dates": "Dates",
        "reopening": "Reopens",
        "position": "You are number {position} of {total} to be called",
        "chain": "Order of calls",
        "nights": "Outside opening hours (evenings, nights, weekends)",
        "nights_you": "You take the calls outside the practice's opening hours.",
        "practice": "The practice",
        "name": "Name",
        "numbers": "Patients' number",
        "front_desk": "Front desk",
        "email": "Email",
        "urgent": "If something is serious, reach",
        "no_urgent": "No emergency contact was given.",
        "you_receive": "What you will receive",
        "calls": "Patients' calls, forwarded with their number. Before each call you hear:",
        "press_1": "Press 1 to take the call; without an answer the call goes on to the next office.",
        "texts": "Patients' texts, forwarded to",
        "no_texts": "Patients' texts go to the first office of the list.",
        "callers_hear": "What callers hear",
        "instructions": "The practice's instructions",
        "closure_notes": "For this closure",
        "no_instructions": "No particular instructions.",
        "contacts_link": "The contacts forwarded during this closure",
        "contacts": "Forwarded contacts",
        "no_contacts": "No contact yet.",
        "follow_up": "Follow-up list",
        "to_call": "to call back",
        "done": "Called back",
        "mark_done": "Mark as called back",
        "withheld": "Withheld number: cannot be called back",
        "call": "Call",
        "text": "Text",
        "taken_by": "Taken by {office}",
        "front_desk_took": "Taken by the front desk",
        "voicemail": "Voicemail",
        "listen": "listen",
        "hung_up": "Hung up without a message",
        "text_forwarded": "Text forwarded",
        "opted_out": "Asked not to receive texts",
        "unknown": "Outcome unknown",
        "expired": "This link has expired or is not valid.",
        "cancelled": "This closure was cancelled or no longer goes to you.",
        "summary": "{patients} patient(s), {calls} call(s), {texts} text(s); {to_call} to call back.",
        "print": "Print",
    },
}


def words(language: str) -> dict[str, str]:
    """The words of briefings, notices and follow-up lists, in French or English."""
    return _NOTICE_WORDS.get(language[:2], _NOTICE_WORDS["en"])
