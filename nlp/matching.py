"""Linear-time phrase matching on folded text: one compiled trie-shaped regex per phrase set.

Phrases are folded (``records.textfold.fold``) and matched on folded text with word boundaries,
leftmost-longest and non-overlapping. The regex is built from a trie of the phrases, so the
engine never backtracks over thousands of alternatives and matching costs one pass over the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from records.textfold import fold

_SPACES = re.compile(r"\s+")


class _FoldMap(dict[int, str]):
    """``str.translate`` table of ``records.textfold.fold`` character by character, filled lazily.

    Characters that fold to anything but exactly one character (rare: "İ", Hangul syllables, a
    stray combining mark) are remembered in ``irregular`` so offsets can be mapped back.
    """

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set()
        self.irregular_re: re.Pattern[str] | None = None

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        value = fold(ch)
        if len(value) != 1:
            self.irregular.add(ch)
            self.irregular_re = re.compile("[" + "".join(re.escape(c) for c in sorted(self.irregular)) + "]")
        self[code] = value
        return value


_FOLD_MAP = _FoldMap()


def fast_fold(text: str) -> str:
    """``records.textfold.fold`` computed with one ``str.translate`` (same result on NFC text)."""
    return text.translate(_FOLD_MAP)


def fold_phrase(phrase: str) -> str:
    """Fold a phrase and collapse its whitespace (the key phrases are stored and matched by)."""
    return _SPACES.sub(" ", fast_fold(unicodedata.normalize("NFC", phrase))).strip()


@dataclass(frozen=True)
class FoldedText:
    """A text folded for matching, with a map from folded offsets back to the original text."""

    original: str
    folded: str
    _starts: tuple[int, ...] | None  # folded offset → original offset; None when lengths agree

    @classmethod
    def of(cls, text: str) -> FoldedText:
        folded = fast_fold(text)
        irregular = _FOLD_MAP.irregular_re
        if len(folded) == len(text) and (irregular is None or irregular.search(text) is None):
            return cls(text, folded, None)
        # Rare: a character folds to several (or zero) characters; map offsets one by one.
        pieces: list[str] = []
        starts: list[int] = []
        for i, ch in enumerate(text):
            piece = _FOLD_MAP[ord(ch)]
            pieces.append(piece)
            starts.extend([i] * len(piece))
        starts.append(len(text))
        return cls(text, "".join(pieces), tuple(starts))

    def original_span(self, start: int, end: int) -> str:
        if self._starts is None:
            return self.original[start:end]
        begin = self._starts[start]
        stop = self._starts[end] if end < len(self._starts) else len(self.original)
        return self.original[begin:stop]


class PhraseMatcher:
    """Find any of a set of phrases in text (folded, word-bounded, leftmost-longest)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        keys = sorted({fold_phrase(p) for p in phrases} - {""})
        self.phrases: frozenset[str] = frozenset(keys)
        if keys:
            self._regex: re.Pattern[str] | None = re.compile(r"(?<!\w)(?:" + _trie_pattern_fixed(keys) + r")(?!\w)")
        else:
            self._regex = None

    def finditer(self, folded: str) -> Iterator[tuple[int, int, str]]:
        """Yield (start, end, phrase key) for each match in already-folded text."""
        if self._regex is None:
            return
        for match in self._regex.finditer(folded):
            yield match.start(), match.end(), _SPACES.sub(" ", match.group())


def _trie_pattern_fixed(keys: list[str]) -> str:
    trie: dict[str, dict] = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        branches = []
        for ch, child in sorted(node.items()):
            if not ch:
                continue
            atom = r"\s+" if ch == " " else re.escape(ch)
            branches.append(atom + render(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            # Longest first: try the continuation, fall back to ending here (greedy optional).
            return f"(?:{body})?"
        return body

    return render(trie)
