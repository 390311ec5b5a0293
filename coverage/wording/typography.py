"""Typography: how words are joined and set for the eye, in each language. French has a no-break
space before « : ; ! ? », inside « » and in « 8 h 30 »; English has none of these. Never applied
to what goes by SMS (the no-break space is not in GSM-7)."""
from __future__ import annotations

import re

NBSP = "\u00a0"
_BEFORE_MARK = re.compile(r" ([:;!?»])")
_CLOCK = re.compile(r"\b(\d{1,2}) h(?: (\d{2}))?\b")


def typeset(text: str) -> str:
    """French typography for a page or an email: a no-break space before « : ; ! ? », inside
    « », and in « 8 h 30 », so that nothing wraps mid-token. English has none of these, so it
    is left as it is; what goes by SMS is never set (the no-break space is not in GSM-7)."""
    if " " not in text:
        return text
    text = _BEFORE_MARK.sub(NBSP + r"\1", text.replace("« ", "«" + NBSP))
    return _CLOCK.sub(lambda m: f"{m[1]}{NBSP}h" + (f"{NBSP}{m[2]}" if m[2] else ""), text)


def colon(text: str, language: str) -> str:
    """A label before its value: « Couvert par : » (no-break space) in French, "Covered by:"."""
    return f"{text}{NBSP}:" if language.startswith("fr") else f"{text}:"


def quoted(text: str, language: str) -> str:
    """Someone's words quoted: « … » in French, “…” in English."""
    return f"«{NBSP}{text}{NBSP}»" if language.startswith("fr") else f"“{text}”"


def labelled(parts: list[str], language: str) -> str:
    """Parts said one after the other, each introducing the next: « conges.ics, ligne 12 :
    événement « Formation » : ignoré … », "conges.ics, line 12: event “Formation”: skipped …"."""
    return " ".join([*(colon(part, language) for part in parts[:-1]), parts[-1]])
