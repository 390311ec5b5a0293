"""The message catalogs: every word Relève writes or says, in every language but English.

English is written in the module that uses it (labels: pages, emails and notices; greetings: what
callers and offices hear; texts: the texts; reasons: why a practice is closed; problems: what the
calendar layer says of a calendar it cannot read, from calendars.messages), as a table of
context → English; the English is the msgid and the context its key, so that the same English may
be translated two ways. Every other language is a gettext catalog, `locales/<locale>.po` beside
this module, read with Babel: fr_FR; fr_CA, which holds only what Québec says otherwise and falls
back to fr_FR; en_GB and en_CA, which hold only what British and Canadian English say otherwise
and fall back to the English of the code.

Adding a language is adding its catalog: `make catalogs` writes `locales/messages.pot` from the
tables, then `pybabel init -i coverage/wording/locales/messages.pot -o
coverage/wording/locales/de_CH.po -l de_CH`, and the language's name in `config.settings.LANGUAGES`
with a voice for it.
"""
from __future__ import annotations

import io
import sys
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

LOCALES = Path(__file__).with_name("locales")
TEMPLATE = LOCALES / "messages.pot"

# The catalog a language falls back to when its own has no entry: Québec French to France's.
_FAMILY = {"fr": "fr_FR"}

English = dict[str, str | tuple[str, str]]  # context -> msgid, or (singular, plural) for a counted entry


@cache
def translations(language: str) -> NullTranslations:
    """The catalog of a language ("fr-CA"), falling back to its family's ("fr" is fr_FR), then
    to the English of the code."""
    found: NullTranslations | None = None
    for locale in dict.fromkeys((language.replace("-", "_"), _FAMILY.get(language[:2]))):
        path = LOCALES / f"{locale}.po" if locale else None
        if path is None or not path.is_file():
            continue
        with path.open("rb") as source:
            catalog = read_po(source, locale=locale)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        loaded = Translations(compiled)
        if found is None:
            found = loaded
        else:
            found.add_fallback(loaded)
    return found or NullTranslations()


def say(language: str, key: str, english: str) -> str:
    """The entry `key` in the language (its English when the catalog has none)."""
    return translations(language).pgettext(key, english)


def say_counted(language: str, key: str, forms: tuple[str, str], count: int) -> str:
    """The singular or plural form of a counted entry for `count`, in the language."""
    return translations(language).npgettext(key, forms[0], forms[1], count)


def tables() -> dict[str, English]:
    """Every table of English, by the module that holds it."""
    from coverage.wording import greetings, labels, problems, reasons, texts

    return {"labels": labels.ENGLISH, "greetings": greetings.ENGLISH, "texts": texts.ENGLISH,
            "reasons": reasons.ENGLISH, "problems": problems.ENGLISH}


def template() -> Catalog:
    """messages.pot: the English of every table, each entry with its context and its module."""
    catalog = Catalog(project="Relève", copyright_holder="the Relève contributors", fuzzy=False)
    for module, table in tables().items():
        for key, english in table.items():
            catalog.add(english, context=key, auto_comments=[f"coverage/wording/{module}.py"])
    return catalog


def _written(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False, sort_output=False)
    return b"".join(line for line in out.getvalue().splitlines(keepends=True)
                    if not line.startswith(b'"POT-Creation-Date'))


def main() -> int:
    """`make catalogs`: write messages.pot, and list what each catalog lacks or translates from an
    older English."""
    TEMPLATE.write_bytes(_written(template()))
    print(f"wrote {TEMPLATE}")
    english = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in template() if m.id}
    for path in sorted(LOCALES.glob("*.po")):
        with path.open("rb") as source:
            found = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in read_po(source) if m.id}
        stale = sorted(str(key) for key, _ in found - english)
        print(f"{path.name}: {len(found & english)} entries" + (f"; not in the code any more: {', '.join(stale)}"
                                                               if stale else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
