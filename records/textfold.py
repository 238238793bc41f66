"""Diacritic folding for Vietnamese: the one function every matcher and index uses."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_DD = str.maketrans({"đ": "d", "Đ": "d"})
# str.lower() is context-dependent for one character only: a capital sigma at a word end becomes ς.
_CONTEXT_LOWER = "\u03a3"
_TABLE_LIMIT = 65_536  # distinct characters remembered by the fast path (memory bound)


def _fold_reference(text: str) -> str:
    """The definition of ``fold``: NFD of the lower-cased text (đ → d first), combining marks dropped."""
    decomposed = unicodedata.normalize("NFD", text.translate(_DD).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _FoldTable(dict[int, str]):
    """``str.translate`` table: code point → ``_fold_reference`` of that one character, filled lazily.

    Folding is character by character: lower-casing (except the final sigma) and NFD decomposition
    act per character, and canonical reordering only moves combining marks, which are all dropped.
    """

    def __missing__(self, code: int) -> str:
        value = _fold_reference(chr(code))
        if len(self) < _TABLE_LIMIT:
            self[code] = value
        return value


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, strip tones and vowel marks, and map đ → d (FTS5's remove_diacritics misses đ).

    ``fold("Lũ lụt ở Đại Lộc") == "lu lut o dai loc"``.
    """
    if _CONTEXT_LOWER in text:
        return _fold_reference(text)
    return text.translate(_TABLE)


def fold_words(text: str) -> list[str]:
    """Folded word tokens (letters and digits), for matching and shingling."""
    return [w for w in _NON_WORD.split(fold(text)) if w]
