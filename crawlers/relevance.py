"""Province relevance filter for national sources: keep items that name a place of the province.

The places come from the gazetteer (``nlp.places``, data under ``nlp/gazetteer/``), which resolves
ambiguous names only in context. ``RelevanceFilter.from_names`` builds a plain folded-phrase matcher
for a list of names (tests, or a registry without the NLP package). The reasons are what
``Item.provenance.relevance`` records: which names matched, in the title or in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from records.textfold import fold

# A place finder: (title + "\n" + text, title length) -> [(name as written, in_title)]
PlaceFinder = Callable[[str, int], list[tuple[str, bool]]]


@dataclass(frozen=True)
class Relevance:
    """The verdict on one item and why."""

    relevant: bool
    reasons: list[str] = field(default_factory=list)


class RelevanceFilter:
    """Keeps an item when its title or text names at least one place of the province."""

    def __init__(self, finder: PlaceFinder) -> None:
        self._find = finder

    @classmethod
    def from_names(cls, names: Iterable[str]) -> RelevanceFilter:
        """A filter on a plain list of place names and aliases (matched folded, on word boundaries)."""
        folded = sorted({fold(n).strip() for n in names if n.strip()}, key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in folded) + r")(?!\w)") if folded else None

        def finder(text: str, title_chars: int) -> list[tuple[str, bool]]:
            if pattern is None:
                return []
            # fold keeps one character per character of NFC text except for decomposed marks: map by
            # folding the text prefix-wise is costly, so report the folded spelling as matched.
            return [(m.group(1), m.start() < title_chars) for m in pattern.finditer(fold(text))]

        return cls(finder)

    @classmethod
    def from_gazetteer(cls, path: Path | None = None) -> RelevanceFilter:
        """The filter on the province gazetteer of the NLP package (``nlp.places.load_gazetteer``)."""
        from nlp.places import load_gazetteer

        gazetteer = load_gazetteer(path)

        def finder(text: str, title_chars: int) -> list[tuple[str, bool]]:
            return [(p.mention, p.in_title) for p in gazetteer.find(text, title_chars=title_chars)]

        return cls(finder)

    def check(self, title: str, text: str) -> Relevance:
        """Whether an item is about the province, with reasons such as "tiêu đề: Hội An"."""
        combined = f"{title}\n{text}"
        found = self._find(combined, len(title))
        in_title = list(dict.fromkeys(name for name, t in found if t))
        in_text = list(dict.fromkeys(name for name, t in found if not t and name not in in_title))
        reasons: list[str] = []
        if in_title:
            reasons.append("tiêu đề: " + ", ".join(in_title))
        if in_text:
            reasons.append("nội dung: " + ", ".join(in_text[:10]))
        return Relevance(bool(found), reasons)


def default_filter(names: Sequence[str] | None = None) -> RelevanceFilter:
    """The gazetteer filter, or a name-list filter when ``names`` is given."""
    return RelevanceFilter.from_names(names) if names is not None else RelevanceFilter.from_gazetteer()
