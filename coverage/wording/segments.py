"""How many SMS segments a text costs, counted as Twilio counts them.

A text in the GSM-7 alphabet takes 160 characters in one segment, 153 per segment when split
(the rest carries the joining header); the characters of the extension table ( ^ { } [ ] ~ | € \\ )
count twice. A single character outside it, such as ç, ê, â, the typographic apostrophe ’ or
« », switches the whole text to UCS-2: 70 characters in one segment, 67 when split.
"""
from __future__ import annotations

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


def encoding(text: str) -> str:
    """ "GSM-7" or "UCS-2"."""
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else "UCS-2"


def segments(text: str) -> int:
    """The number of segments Twilio bills for `text`.

    A long text is cut into segments of 153 septets (GSM-7) or 67 UTF-16 units (UCS-2), and what
    takes two units is never split across two segments: a character of the extension table (an
    escape and the character), an emoji beyond the BMP (a surrogate pair). Such a character at a
    segment's end starts the next one, which may add a segment that counting alone would miss.
    """
    if encoding(text) == "GSM-7":
        units = [2 if c in GSM7_EXTENSION else 1 for c in text]
        single, part = 160, 153
    else:
        units = [len(c.encode("utf-16-le")) // 2 for c in text]
        single, part = 70, 67
    if sum(units) <= single:
        return 1
    count, used = 1, 0
    for unit in units:
        if used + unit > part:
            count, used = count + 1, 0
        used += unit
    return count


def non_gsm_characters(text: str) -> list[str]:
    """The characters that force UCS-2, to tell a practice what to change."""
    return sorted({c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENSION})
