"""Rendering the notices' templates (emails, texts) without a web request: the worker sends them.

The pages render the same templates through Flask (`coverage/templates`); both environments get
the same helpers, so a sheet reads the same in an email and on its page.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from markupsafe import Markup

from coverage.store.tables import URGENT_PRESSED
from coverage.wording.dates import format_hour, format_moment, format_opening_hours
from coverage.wording.labels import counted, words
from coverage.wording.names import status_word, to_written, with_article
from coverage.wording.numbers import format_phone
from coverage.wording.problems import calendar_error_text, config_problem_text, problem_text
from coverage.wording.typography import NBSP, colon, quoted, typeset

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def phone_link(number: str) -> Markup:
    """A number on a page or in an email: a `tel:` link a phone dials at a touch, written as
    people read it and never cut across two lines (no-break spaces)."""
    if not number.startswith("+"):
        return Markup.escape(number)
    return Markup('<a class="tel" href="tel:{}">{}</a>').format(number, format_phone(number).replace(" ", NBSP))


@pass_eval_context
def typeset_output(context: EvalContext, value: Any) -> Any:
    """Jinja's `finalize`: every text an HTML template shows is typeset; what is already markup
    (a `tel:` link) and text templates (emails' plain part, texts) are left alone."""
    if context.autoescape and isinstance(value, str) and not isinstance(value, Markup):
        return typeset(value)
    return value


def office_named(offices: dict[str, Any], office_id: str, language: str) -> str:
    """An office in a sentence, with its article: « Pris par le cabinet du Dr Martin »; an office
    no longer in the configuration by its id."""
    return with_article(offices[office_id].name, language) if office_id in offices else office_id


def office_to(offices: dict[str, Any], office_id: str, language: str) -> str:
    """An office after « à »: « transmis au cabinet du Dr Martin », "forwarded to …"."""
    if office_id in offices:
        return to_written(offices[office_id].name, language)
    return f"à {office_id}" if language.startswith("fr") else f"to {office_id}"


def urgent_why(urgent: str, language: str, *, sms: bool = False) -> str:
    """Why a message is flagged possibly urgent: the caller pressed 1, or the words heard (in
    GSM-7 for a text)."""
    w, end = words(language), "_sms" if sms else ""
    if urgent == URGENT_PRESSED:
        return str(w[f"urgent_why_pressed{end}"])
    return str(w[f"urgent_why_words{end}"]).format(words=urgent.removeprefix("words:"))


def counted_words(key: str, count: int, language: str) -> str:
    """A counted entry of the catalogs, filled in: « 60 jours », "1 day"."""
    return counted(key, count, language).format(count=count)


HELPERS: dict[str, Any] = {"format_phone": format_phone, "format_moment": format_moment,
                           "format_opening_hours": format_opening_hours, "phone_link": phone_link,
                           "status_word": status_word, "format_hour": format_hour, "calendar_problem": calendar_error_text,
                           "problem_text": problem_text, "config_problem_text": config_problem_text, "counted_words": counted_words,
                           "office_named": office_named, "office_to": office_to, "urgent_why": urgent_why}
FILTERS: dict[str, Any] = {"format_phone": format_phone, "colon": colon, "quoted": quoted}


def install(environment: Environment) -> None:
    """The helpers, filters and typography of the notices' templates, in a Jinja environment:
    the worker's (below) and the web app's, so that a sheet reads the same on its page."""
    environment.globals.update(HELPERS)
    environment.filters.update(FILTERS)
    environment.finalize = typeset_output  # before any template is compiled


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                              keep_trailing_newline=True)
    install(environment)
    return environment


def render(name: str, **context: Any) -> str:
    """The template `name` (under coverage/templates) filled in; HTML is escaped, text is not."""
    return _environment().get_template(name).render(**context)
