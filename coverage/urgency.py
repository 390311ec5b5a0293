"""Which voicemails are possibly urgent, and who is told at once. Pure: the practice, the words.

A message is possibly urgent when the caller pressed 1 before the beep, or when its transcript
holds one of the practice's urgent words: the profession's list (below) unless the practice gives
its own (`urgent_words:`). Words match whole, whatever their accents and case, and a word ending
in `*` matches what starts with it (« saign* » finds « saigne » and « saignement »). It is never a
diagnosis: pages and texts say "possiblement urgent".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from calendars.model import fold
from config.settings import CoveringOffice, Practice, Settings

# Words a caller uses about something that cannot wait, by profession, in French and English.
_HEALTH = ("urgent*", "urgence", "douleur*", "mal", "saign*", "gonfl*", "enfle", "enflé*", "fievre", "accident",
           "chute", "tombe*", "respire", "malaise", "evanoui*", "perte de connaissance", "pain", "bleeding", "swollen",
           "fever", "emergency", "faint*")
DEFAULT_WORDS: dict[str, tuple[str, ...]] = {
    "dentist": (*_HEALTH, "abces", "dent cassee", "dent casse*", "machoire", "abscess", "broken tooth", "toothache"),
    "doctor": (*_HEALTH, "poitrine", "thorax", "allergi*", "chest", "allergic"),
    "physiotherapist": (*_HEALTH, "entorse", "luxation", "fracture", "sprain"),
    "vet": ("urgent*", "urgence", "empoisonn*", "poison*", "intoxi*", "ne respire plus", "respire mal", "renverse*",
            "heurte*", "saign*", "convuls*", "accouche*", "mise bas", "gonfl*", "avale", "ingere", "ne mange plus",
            "poisoned", "not breathing", "hit by a car", "bleeding", "seizure", "swallowed", "emergency"),
    "notary": ("urgent*", "urgence", "deces", "decede*", "signature demain", "delai", "deadline", "death"),
    "accountant": ("urgent*", "urgence", "controle fiscal", "huissier", "echeance", "penalite*", "saisie",
                   "tax audit", "deadline", "penalt*"),
    "other": ("urgent*", "urgence", "emergency"),
}


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for word in words:
        folded = fold(word.strip())
        if not folded:
            continue
        stem = folded.endswith("*")
        body = r"\s+".join(re.escape(part) for part in folded.rstrip("*").split())
        parts.append(rf"\b{body}\w*" if stem else rf"\b{body}\b")
    return re.compile("|".join(parts)) if parts else None


def words_of(practice: Practice) -> tuple[str, ...]:
    """The words that mark the practice's messages as possibly urgent."""
    return practice.urgent_words or DEFAULT_WORDS.get(practice.profession, DEFAULT_WORDS["other"])


def urgent_words_in(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The words of `text` that mark it as possibly urgent, as the caller said them, in order."""
    pattern = _pattern(words)
    if pattern is None or not text:
        return ()
    folded = fold(text)
    # fold keeps the length of most French text; where it does not, the folded words are shown.
    same = len(folded) == len(text)
    found = [text[m.start():m.end()] if same else m.group(0) for m in pattern.finditer(folded)]
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Recipient:
    """Someone told at once of a possibly urgent message."""

    who: str                  # an office id, or "urgent_contact"
    sms: str | None
    email: str | None = None


def to_tell(settings: Settings, practice: Practice, chain: tuple[str, ...]) -> tuple[Recipient, ...]:
    """Who hears of a possibly urgent message at once: the covering office on duty when it was
    left (the first of `chain`), by SMS (by email when it has no SMS number), and the practice's
    urgent contact, if it has one."""
    found: list[Recipient] = []
    office: CoveringOffice | None = settings.offices.get(chain[0]) if chain else None
    if office is not None and (office.sms or office.email):
        found.append(Recipient(office.id, office.sms, None if office.sms else office.email))
    if practice.urgent_contact is not None:
        found.append(Recipient("urgent_contact", practice.urgent_contact.phone))
    return tuple(found)
