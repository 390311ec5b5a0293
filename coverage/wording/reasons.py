"""Why the practice is closed, as a caller hears it, right after « fermé » or "closed".

A calendar's titles are written for the practice's own eyes (« Fermé - Noël », « Pause déj »,
« Formation radio »): read out as written they make « fermé pour Fermé - Noël ». So the common
closures are said the way a person says them (« pendant la pause de midi », « pour les fêtes de
fin d'année »), Québec French its own way (« pendant l'heure du dîner », « pour le temps des
Fêtes »); the practice may write the words itself on a `Motif :` line of the event's description;
and any other title gives no reason at all rather than a wrong one.
"""
from __future__ import annotations

import re

from calendars.description import spoken_reason_in
from calendars.model import Closure, fold
from coverage.wording.catalogs import English, say

# The kinds of closure a title names, by words of it (accents and case folded), first match first:
# a « Fermeture de Noël » is the holidays, not an annual closure.
_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lunch", ("pause dejeuner", "pause dej", "pause de midi", "pause midi", "dejeuner", "midi", "diner",
               "heure du diner", "lunch", "lunch break")),
    ("public_holiday", ("ferie", "jour ferie", "1er mai", "fete du travail", "fete nationale", "14 juillet", "8 mai",
                        "11 novembre", "armistice", "ascension", "pentecote", "assomption", "toussaint", "paques",
                        "lundi de paques", "saint-jean", "st-jean", "action de grace", "fete du canada",
                        "journee nationale des patriotes", "jour du souvenir", "public holiday", "bank holiday",
                        "stat holiday", "statutory holiday", "thanksgiving", "labour day", "labor day",
                        "canada day", "memorial day", "independence day")),
    ("holidays", ("noel", "fetes", "fetes de fin d'annee", "fin d'annee", "nouvel an", "jour de l'an", "reveillon",
                  "temps des fetes", "christmas", "new year", "holiday season", "holidays")),
    ("training", ("formation", "seminaire", "congres", "colloque", "conference", "training", "course")),
    ("vacation", ("vacances", "conges", "conge", "conges annuels", "fermeture annuelle", "vacation", "vacations",
                  "annual leave", "holiday")),
)
_PATTERNS = tuple((kind, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b"))
                  for kind, words in _KINDS)

# How each kind is said after « fermé » or "is closed", in English; every other language in the
# catalogs (coverage.wording.catalogs), British and Canadian English's own words too.
ENGLISH: English = {
    "say.reason.lunch": "for lunch",
    "say.reason.public_holiday": "for the holiday",
    "say.reason.holidays": "for the holidays",
    "say.reason.training": "for staff training",
    "say.reason.vacation": "while we are on vacation",
}


def kind_of(title: str) -> str | None:
    """The kind of closure a title names (lunch, public_holiday, holidays, training, vacation)."""
    folded = fold(title)
    return next((kind for kind, pattern in _PATTERNS if pattern.search(folded)), None)


def spoken_reason(closure: Closure | None, language: str) -> str:
    """What follows « fermé » (with its leading space or colon), or "" for no reason."""
    if closure is None:
        return ""
    written = spoken_reason_in(closure.notes)
    if written:
        return f" {written.rstrip('.')}"
    kind = kind_of(closure.summary)
    if kind is None:
        return ""
    key = f"say.reason.{kind}"
    return f" {say(language, key, str(ENGLISH[key]))}"
