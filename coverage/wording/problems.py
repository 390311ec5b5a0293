"""A calendar's problems in the reader's language: what the calendar layer says in English
(calendars.messages), through the catalogs' `calendar.<key>` entries. The command line and the
logs keep the English; a French page says it in French."""
from __future__ import annotations

from typing import Any

from calendars.errors import CalendarError
from calendars.messages import MESSAGES, Said
from calendars.model import CalendarProblem
from config.errors import Problem
from config.messages import MESSAGES as CONFIG_MESSAGES
from coverage.wording.catalogs import English, say
from coverage.wording.labels import label
from coverage.wording.typography import labelled

ENGLISH: English = {**{f"calendar.{key}": english for key, english in MESSAGES.items()},
                    **{f"config.{key}": english for key, english in CONFIG_MESSAGES.items()}}


def said_in(text: str, language: str) -> str:
    """The sentence in the language, when it is one of Relève's; other text as it is."""
    if not isinstance(text, Said):
        return text
    values: dict[str, Any] = {name: said_in(value, language) if isinstance(value, Said) else value
                              for name, value in text.values.items()}
    return say(language, f"{text.catalog}.{text.key}", text.table[text.key]).format(**values)


def calendar_error_text(error: CalendarError, language: str) -> str:
    """Why a calendar cannot be read, and what to do: « aucun fichier de ce nom — vérifiez le chemin… »."""
    message = said_in(error.message, language)
    return f"{message} — {said_in(error.fix, language)}" if error.fix else message


def config_problem_text(problem: Problem, language: str) -> str:
    """A problem of the configuration file, where it is and what to do: « releve.yaml, ligne 6,
    practices[cabinet-dupont].timezone : fuseau horaire inconnu « Europe/Pari » — essayez … »."""
    kind = label("warning" if problem.is_warning else "error", language)
    parts = [part for part in (_where(problem.file, problem.line, language), kind, problem.key) if part]
    text = labelled([*parts, said_in(problem.message, language)], language)
    return f"{text} — {said_in(problem.fix, language)}" if problem.fix else text


def problem_text(problem: CalendarProblem, language: str) -> str:
    """An event skipped or worked around, with where it is: « conges.ics, ligne 12 : événement
    « Formation » : ignoré : il n'a pas de début (DTSTART) »."""
    event = label("event_named", language).format(summary=problem.summary) if problem.summary else ""
    parts = [part for part in (_where(problem.source, problem.line, language), event) if part]
    return labelled([*parts, said_in(problem.message, language)], language)


def _where(source: str, line: int | None, language: str) -> str:
    """ "conges.ics, ligne 12", or the file alone."""
    return label("at_line", language).format(source=source, line=line) if line else source
