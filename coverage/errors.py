"""Error pages people can act on: in the language of the page they came for, saying what went
wrong and what to do.

A view that knows whose page it is sets its language (`speak`): a practice's pages in the
practice's, a briefing in the office's. Otherwise the browser's languages choose among those
Relève has, French first. A view refuses a request with `refuse(status, key, **values)`, which
shows the entry `error_<key>` of the catalogs; any other error shows its status's own words.
Twilio's webhooks are answered elsewhere (routing): their refusals stay plain.
"""
from __future__ import annotations

import logging
from typing import Any, NoReturn

from flask import Flask, abort, g, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from config.settings import LANGUAGES
from coverage.wording.labels import words

logger = logging.getLogger(__name__)

_STATUSES = (400, 403, 404, 405, 410, 413, 429, 500)


def speak(language: str) -> None:
    """The language of this request's page, and of its error page if it has one."""
    g.page_language = language


def page_language() -> str:
    """The page's language: set by its view, else the browser's best among Relève's, else fr-FR."""
    found: str | None = g.get("page_language")
    if found:
        return found
    best = request.accept_languages.best_match(LANGUAGES) or request.accept_languages.best_match(
        [language[:2] for language in LANGUAGES])
    return next((language for language in LANGUAGES if best and language.startswith(best)), "fr-FR")


def refuse(status: int, key: str, **values: Any) -> NoReturn:
    """Stop the request: the error page says `error_<key>` (filled with `values`) in the page's language."""
    g.error_key, g.error_values = key, values
    abort(status)


def init_app(app: Flask) -> None:
    for status in _STATUSES:
        app.register_error_handler(status, _page)
    # The words of the parts every page shares (base.html), in the page's language.
    app.jinja_env.globals["t"] = lambda key: words(page_language())[key]
    app.jinja_env.globals["page_language"] = page_language


def _page(error: HTTPException) -> Any:
    if request.path.startswith("/twilio/"):
        return error  # Twilio reads the status, not a page
    status = error.code or 500
    if isinstance(error, InternalServerError):
        logger.error("a page failed: %s", request.path.split("?")[0])
    language = page_language()
    w = words(language)
    key = g.get("error_key")
    detail = w[f"error_{key}"].format(**g.get("error_values", {})) if key else ""
    return render_template("error.html", w=w, lang=language, status=status,
                           title=w.get(f"error_title_{status}", w["error_title_400"]),
                           detail=detail, help=w.get(f"error_help_{status}", w["error_help_400"])), status
