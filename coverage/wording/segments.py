"""How many SMS segments a text costs, counted as Twilio counts them.

A text in the GSM-7 alphabet takes 160 characters in one segment, 153 per segment when split
(the rest carries the joining header); the characters of the extension table ( ^ { } [ ] ~ | € \\ )
count twice. A single character outside it, such as ç, ê, â, the typographic apostrophe ’ or
« », switches the whole text to UCS-2: 70 characters in one segment, 67 when split.
"""
from __future__ import annotations

import math

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


def encoding(text: str) -> str:
    """ "GSM-7" or "UCS-2"."""
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else "UCS-2"


def segments(text: str) -> int:
    """The number of segments Twilio bills for `text`."""
    if encoding(text) == "GSM-7":
        septets = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2  # characters beyond the BMP (emoji) take two
    return 1 if units <= 70 else math.ceil(units / 67)


def non_gsm_characters(text: str) -> list[str]:
    """The characters that force UCS-2, to tell a practice what to change."""
    return sorted({c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENSION})
