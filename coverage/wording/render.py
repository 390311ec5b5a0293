"""Rendering the notices' templates (emails, texts) without a web request: the worker sends them.

The pages render the same templates through Flask (`coverage/templates`); both environments get
the same helpers, so a sheet reads the same in an email and on its page.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from coverage.wording.dates import format_moment, format_opening_hours
from coverage.wording.numbers import format_phone

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
HELPERS: dict[str, Any] = {"format_phone": format_phone, "format_moment": format_moment,
                           "format_opening_hours": format_opening_hours}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                              keep_trailing_newline=True)
    environment.globals.update(HELPERS)
    environment.filters["format_phone"] = format_phone
    return environment


def render(name: str, **context: Any) -> str:
    """The template `name` (under coverage/templates) filled in; HTML is escaped, text is not."""
    return _environment().get_template(name).render(**context)
