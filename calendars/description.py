"""Covering offices named in an event's description, as a practice types them.

A practice writes, on a line of its own in the event's description (Google Calendar, Outlook,
Apple Calendar all have one):

    Relève : Cabinet du Dr Martin, Permanence Santé
    Motif : pour le congrès de l'ADF

`Releve`, `Couverture` and `Coverage` work too; case and accents do not matter. Several offices,
separated by commas or semicolons, form the coverage chain in that order. `Motif`, `Raison` or
`Reason` gives what callers hear after « fermé » (the title is not read out as written). Google and Outlook may
send the description as HTML; tags and entities are removed first.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from calendars.model import fold

_LINE = re.compile(r"^\s*(?:releve|couverture|coverage|covered by)\s*:\s*(?P<names>.+?)\s*$")
_REASON = re.compile(r"^\s*(?:motif|raison|reason)\s*:\s*(?P<reason>.+?)\s*$")
_BREAKING_TAGS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKING_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BREAKING_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(description: str) -> str:
    """Plain text of a description that may be HTML (Google, Outlook's X-ALT-DESC)."""
    if "<" not in description and "&" not in description:
        return description
    parser = _TextOfHtml()
    parser.feed(description)
    parser.close()
    return "".join(parser.parts).replace("\xa0", " ")


def offices_named_in(description: str) -> tuple[str, ...]:
    """The office names or ids written after `Relève :` in a description, in order."""
    for line in text_of(description).splitlines():
        # The keyword is matched case- and accent-blind; the names keep their own spelling,
        # cut from the original line after its first colon (the keyword holds none).
        match = _LINE.match(fold(line))
        if not match:
            continue
        original = line.split(":", 1)[1]
        names = (n.strip(" \t\"'«»“”.") for n in re.split(r"[,;]", original))
        return tuple(n for n in names if n)
    return ()


def notes_in(description: str) -> str:
    """The description as plain text without the `Relève :` line: the practice's instructions for
    this closure, shown on the covering office's briefing sheet."""
    lines = [line.rstrip() for line in text_of(description).splitlines()]
    kept = [line for line in lines if not _LINE.match(fold(line))]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def spoken_reason_in(notes: str) -> str:
    """The reason written after `Motif :` in a closure's notes (the description as plain text,
    `notes_in`), as typed; empty when there is none."""
    for line in notes.splitlines():
        if _REASON.match(fold(line)):
            return line.split(":", 1)[1].strip()
    return ""
