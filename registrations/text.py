"""Text helpers for searching and matching names across scripts."""

import re
import unicodedata
from dataclasses import fields

_SPACES = re.compile(r"\s+")
# Letters that Unicode does not decompose into a base letter and an accent.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "ß": "ss"})


def fold(text: str | None) -> str:
    """Lower-case text without accents and with single spaces: "Hà Nội" → "ha noi".

    Scripts without Latin accents (Khmer, Lao) keep their characters, only the case-free and
    space-normalised form changes.
    """
    if not text:
        return ""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(
        ch for ch in decomposed if not (unicodedata.combining(ch) and _is_latin_mark(ch))
    )
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped).casefold()).strip()


def _is_latin_mark(ch: str) -> bool:
    # Combining diacritical marks used by Latin scripts (Vietnamese, French…); Khmer and Lao
    # vowel signs are combining too but carry meaning and must stay.
    return 0x0300 <= ord(ch) <= 0x036F or 0x1AB0 <= ord(ch) <= 0x1AFF or 0x1DC0 <= ord(ch) <= 0x1DFF


def fold_compact(text: str | None) -> str:
    """`fold` without spaces, so that "Ha Noi", "Hanoi" and "hà nội" match each other."""
    return fold(text).replace(" ", "")


def strip_fields(record) -> None:
    """Strip the surrounding spaces of every field of a dataclass of form texts (None → "")."""
    for field in fields(record):
        setattr(record, field.name, (getattr(record, field.name) or "").strip())
