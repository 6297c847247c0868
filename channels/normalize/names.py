"""People's names as they write them: Latin names capitalised, Chinese names family name first, no space.

Pure functions, no Django: adapters use ``full_name`` to join a platform's first/last name fields.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le", "bin", "al"}
)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


_ROMAN = re.compile(r"(?i)(?:ii|iii|iv|vii|viii|ix|xiv|xv|xvi|xvii|xviii|xix)\.?")


def _capitalise_word(word: str, first: bool) -> str:
    lower = word.lower()
    if not first and lower in _PARTICLES:
        return lower
    if not first and _ROMAN.fullmatch(word):
        return word.upper()
    parts = re.split(r"([-'’])", lower)
    out = []
    for part in parts:
        if part in ("-", "'", "’") or not part:
            out.append(part)
        elif part.startswith("mc") and len(part) > 2:
            out.append("Mc" + part[2:].capitalize())
        else:
            out.append(part.capitalize())
    return "".join(out)


def format_name(name: str) -> str:
    """Trim and tidy one name. A name already in mixed case is kept as its owner wrote it."""
    text = " ".join((name or "").split())
    if not text:
        return ""
    if has_cjk(text):
        if re.fullmatch(r"[\u3400-\u9fff\uf900-\ufaff·•\s]+", text):
            return text.replace(" ", "").replace("•", "·")
        return text
    if text != text.lower() and text != text.upper():
        return text
    return " ".join(_capitalise_word(word, index == 0) for index, word in enumerate(text.split(" ")))


def full_name(first: str | None, last: str | None) -> str:
    """Join first and last name: ``丽`` + ``张`` → ``张丽``; ``mary`` + ``o'brien`` → ``Mary O'Brien``.

    Each part is tidied on its own, so an upper-case family name (``John`` + ``SMITH``) reads ``John Smith``.
    """
    first, last = (first or "").strip(), (last or "").strip()
    if has_cjk(first) or has_cjk(last):
        return format_name(f"{last}{first}")
    return " ".join(format_name(part) for part in (first, last) if part)
