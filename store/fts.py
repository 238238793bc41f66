"""Full-text helpers shared by the stores: what to index and how to turn user text into a safe query.

Two views of every text are indexed: an *exact* one (NFC, lower-case, diacritics kept) and a
*folded* one (``records.textfold.fold``: tones, vowel marks and đ removed). A query matches on the
folded view, so ``lu lut`` finds ``lũ lụt`` and ``lũ lụt`` finds ``lu lut``; items that also match
the exact spelling rank higher (folding merges distinct words: ban ~ bán, bàn, bạn, bản).

User text never reaches a query language as syntax: it is split into word tokens (and quoted
phrases), and each token is quoted by the backend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from records.identity import nfc
from records.textfold import fold

MAX_TERMS = 32  # bound the cost of a pasted paragraph
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits; punctuation and '_' separate
_PHRASE = re.compile(r'"([^"]*)"')


class _FoldTable(dict[int, str]):
    """Per-character ``fold`` results, computed on first use: ``str.translate`` with this table
    equals ``records.textfold.fold`` (which lower-cases, decomposes and drops combining marks
    character by character) at a fraction of the cost."""

    def __missing__(self, key: int) -> str:
        value = fold(chr(key))
        self[key] = value
        return value


_FOLD_TABLE = _FoldTable()


def fast_fold(text: str) -> str:
    """``records.textfold.fold(text)``, fast (used on every indexed text)."""
    return text.translate(_FOLD_TABLE)


@dataclass(frozen=True)
class TextQuery:
    """A user's search text as lists of terms; each term is a tuple of tokens (a phrase if > 1)."""

    exact: tuple[tuple[str, ...], ...]
    folded: tuple[tuple[str, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.folded


def exact_tokens(text: str) -> list[str]:
    """Lower-case NFC word tokens, diacritics kept."""
    return _WORD.findall(nfc(text).lower())


def folded_tokens(text: str) -> list[str]:
    """Folded word tokens (what the folded index holds)."""
    return _WORD.findall(fast_fold(nfc(text)))


def parse_text_query(text: str) -> TextQuery:
    """Split user text into terms: ``"quoted words"`` become phrases, everything else single words.

    Operators and punctuation (``AND``, ``(``, ``"``, ``*``, ``:``) carry no meaning: ``AND`` is a
    word like any other, punctuation separates words.
    """
    exact: list[tuple[str, ...]] = []
    folded: list[tuple[str, ...]] = []
    pos = 0
    pieces: list[tuple[str, bool]] = []
    for match in _PHRASE.finditer(text):
        pieces.append((text[pos : match.start()], False))
        pieces.append((match.group(1), True))
        pos = match.end()
    pieces.append((text[pos:], False))
    for piece, is_phrase in pieces:
        words = exact_tokens(piece)
        candidates = [tuple(words)] if is_phrase and len(words) > 1 else [(w,) for w in words]
        for term in candidates:
            folded_term = tuple(t for w in term for t in folded_tokens(w))
            if not folded_term or term in exact:
                continue
            exact.append(term)
            folded.append(folded_term)
    return TextQuery(exact=tuple(exact[:MAX_TERMS]), folded=tuple(folded[:MAX_TERMS]))


def exact_text(title: str, text: str) -> str:
    """The exact view of an item's text (what ``exact_tokens`` splits)."""
    return nfc(f"{title}\n{text}").lower()


def folded_text(title: str, text: str) -> str:
    """The folded view of an item's text."""
    return fast_fold(nfc(f"{title}\n{text}"))
