"""Practices' and offices' names in a sentence: capitalised, after a preposition, with agreement."""
from __future__ import annotations

from config.settings import Name


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _contracted(name: Name, language: str, le: str, les: str, other: str, english: str) -> str:
    """The spoken name after a French preposition, contracted with its article (de + le = du)."""
    if not language.startswith("fr"):
        return f"{english} {name.spoken}"
    return _contract(name.spoken, le, les, other)


def _contract(named: str, le: str, les: str, other: str) -> str:
    lower = named.lower()
    if lower.startswith("le "):
        return f"{le} {named[3:]}"
    if lower.startswith("les "):
        return f"{les} {named[4:]}"
    return f"{other} {named}"


def of_name(name: Name, language: str) -> str:
    """ "du cabinet Dupont", "de la clinique", "de l'officine"."""
    return _contracted(name, language, "du", "des", "de", "from")


# Nouns a practice's name starts with after « l' » or « les », whose gender the article does not
# show: « l'étude notariale » is fermée, « l'office notarial » fermé.
_FEMININE = frozenset({"étude", "agence", "officine", "unité", "équipe", "association", "antenne", "infirmerie",
                       "assurance", "orthodontie", "école", "urgence", "urgences", "clinique", "cliniques",
                       "pharmacie", "pharmacies", "permanence", "permanences", "maison", "maisons"})


def _noun_after(lower: str, article: str) -> str:
    rest = lower[len(article):].lstrip()
    return rest.split(" ", 1)[0].strip(",.")


def agreement(name: Name) -> tuple[bool, bool]:
    """Whether the name is feminine, and plural: the configuration's `gender` and `plural` when
    given, else the spoken name's article, and after « l' » or « les » the noun that follows."""
    lower = name.spoken.lower().replace("’", "'")
    plural = name.plural or lower.startswith("les ")
    if name.gender is not None:
        return name.gender == "feminine", plural
    if lower.startswith("la "):
        return True, plural
    for article in ("les ", "l'"):
        if lower.startswith(article):
            return _noun_after(lower, article) in _FEMININE, plural
    return False, plural


def closed_word(name: Name, language: str) -> str:
    """ "fermé", "fermée", "fermés" or "fermées", agreeing with the name (`agreement`)."""
    if not language.startswith("fr"):
        return "closed"
    feminine, plural = agreement(name)
    return "fermé" + ("e" if feminine else "") + ("s" if plural else "")


_ARTICLES = ("le ", "la ", "l'", "les ")


def with_article(name: Name, language: str) -> str:
    """The written name with the article the spoken name has, for a sentence: « le cabinet du
    Dr Martin » (written « Cabinet du Dr Martin », spoken « le cabinet du docteur Martin »), « la
    clinique vétérinaire du Plateau »; a name spoken without an article stays as written."""
    written = name.written.strip()
    if not language.startswith("fr"):
        return written
    spoken = name.spoken.strip().replace("’", "'")
    article = next((a for a in _ARTICLES if spoken.lower().startswith(a)), None)
    if article is None or written.lower().replace("’", "'").startswith(article):
        return written
    noun = spoken[len(article):].lstrip()
    first = written[:1].lower() if noun[:1].islower() else written[:1]
    return f"{article}{first}{written[1:]}"


def status_word(name: Name, is_open: bool, language: str) -> str:
    """A page's written status, agreeing with the name: « Fermée » for « la clinique … », « Ouverts »
    for « les cabinets … »; "Open", "Closed"."""
    if not language.startswith("fr"):
        return "Open" if is_open else "Closed"
    closed = closed_word(name, language)
    return capitalized(closed.replace("fermé", "ouvert") if is_open else closed)


def to_written(name: Name, language: str) -> str:
    """The written name after « à », with its article: "au cabinet du Dr Martin", "à la clinique
    vétérinaire Rosemont"; "to Dr Martin's office" in English."""
    if not language.startswith("fr"):
        return f"to {name.written}"
    return _contract(with_article(name, language), "au", "aux", "à")
