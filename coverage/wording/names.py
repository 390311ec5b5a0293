"""Practices' and offices' names in a sentence: capitalised, after a preposition, with agreement."""
from __future__ import annotations

from config.settings import Name


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
