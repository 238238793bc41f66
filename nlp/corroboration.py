"""Official statements a post repeats: the misinformation flag asks whether a post is false, and a post
that says what an official source said hours earlier (the river passed alarm level 3 at Câu Lâu) is not.

Recent items from official sources are kept sentence by sentence (and pairs of adjacent sentences) in a
``ClaimIndex``, the known-claims matcher: folded text, character and word n-grams, so a post written
without diacritics or in other words still matches. A post is compared clause by clause (a factual
clause is usually one of several in a social post); its best clause at or above ``min_similarity``
against a statement published within ``window`` of the post corroborates it. What that does to the flag
(a dampener, and never when the post also carries a hoax cue) is in ``nlp/flag_rules.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from nlp.claims import ClaimIndex, KnownClaim, clip, comma, windows
from records.schema import Item, SourceKind
from records.textfold import fold

DEFAULT_WINDOW = timedelta(hours=72)
MAX_STATEMENT_ITEMS = 2000  # the most recent official items kept (a day of a province's portals is far fewer)
_CLAUSE_END = re.compile(r"[.!?;,\n]+")
MIN_CLAUSE_WORDS = 4  # shorter clauses ("ba con oi", "nguy hiem qua") say too little to match on


@dataclass(frozen=True)
class Statement:
    """One sentence (or pair) of an official item."""

    item_id: str
    title: str
    url: str
    at: datetime
    text: str


@dataclass(frozen=True)
class Corroboration:
    statement: Statement
    similarity: float
    passage: str  # the post's clause that matched

    @property
    def reason(self) -> str:
        source = self.statement.title or self.statement.url
        return (f"Trùng với thông tin nguồn chính thức «{clip(self.statement.text)}» ({clip(source, 100)}; "
                f"độ tương đồng {comma(self.similarity)})")


def clauses(text: str) -> list[str]:
    """The clauses of ``text`` long enough to carry a checkable statement."""
    return [c.strip() for c in _CLAUSE_END.split(text) if len(c.split()) >= MIN_CLAUSE_WORDS]


class OfficialStatements:
    """The sentences of recent official items, matched against posts clause by clause."""

    def __init__(self, items: Sequence[Item] = (), *, window: timedelta = DEFAULT_WINDOW) -> None:
        self.window = window
        self._items: dict[str, Item] = {}
        self._statements: list[Statement] = []
        self._index = ClaimIndex()
        self.add(items)

    def __len__(self) -> int:
        return len(self._statements)

    def add(self, items: Sequence[Item]) -> None:
        """Keep the official items among ``items`` and rebuild the index. Items older than ``window`` before
        the newest one are let go (a long-running process would otherwise keep them all), and at most
        ``MAX_STATEMENT_ITEMS`` are kept."""
        fresh = [i for i in items if i.kind == SourceKind.official and i.text.strip()]
        if not fresh:
            return
        for item in fresh:
            self._items[item.id] = item
        kept = sorted(self._items.values(), key=lambda i: i.sort_time)[-MAX_STATEMENT_ITEMS:]
        kept = [i for i in kept if i.sort_time >= kept[-1].sort_time - self.window]
        self._items = {i.id: i for i in kept}
        # One statement per wording (boilerplate such as a hotline sentence recurs in every bulletin):
        # the newest item's, since matches are judged against the post's time.
        unique: dict[str, Statement] = {}
        for item in kept:
            for window_text in windows(item.text):
                unique[fold(window_text)] = Statement(item.id, item.title, item.url, item.sort_time, window_text)
        self._statements = list(unique.values())
        self._index = ClaimIndex(
            [KnownClaim(claim_id=str(n), claim=s.text) for n, s in enumerate(self._statements)]
        )

    def match(
        self, texts: Sequence[str], times: Sequence[datetime | None], *, min_similarity: float
    ) -> list[Corroboration | None]:
        """For each text, the best official statement one of its clauses repeats (within ``window`` of the
        text's time; a text without a time is compared with every statement), else None."""
        out: list[Corroboration | None] = [None] * len(texts)
        if not self._statements or not texts:
            return out
        owners: list[int] = []
        parts: list[str] = []
        for i, text in enumerate(texts):
            for clause in clauses(text):
                owners.append(i)
                parts.append(clause)
        matches = self._index.match(parts, min_similarity=min_similarity)
        for owner, part, match in zip(owners, parts, matches, strict=True):
            if match is None:
                continue
            statement = self._statements[int(match.claim.claim_id)]
            at = times[owner]
            if at is not None and abs(at - statement.at) > self.window:
                continue
            best = out[owner]
            if best is None or match.similarity > best.similarity:
                out[owner] = Corroboration(statement, match.similarity, part)
        return out
