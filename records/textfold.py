"""Diacritic folding for Vietnamese: the one function every matcher and index uses."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_DD = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, strip tones and vowel marks, and map đ → d (FTS5's remove_diacritics misses đ).

    ``fold("Lũ lụt ở Đại Lộc") == "lu lut o dai loc"``.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_DD).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_words(text: str) -> list[str]:
    """Folded word tokens (letters and digits), for matching and shingling."""
    return [w for w in _NON_WORD.split(fold(text)) if w]
