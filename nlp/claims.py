"""Known false claims and the matcher that finds later posts saying the same thing.

Analysts add a false claim with its official correction (store collection ``known_claims``).
New text is compared with every claim sentence by sentence (and pairs of adjacent sentences, so a
claim spread over two sentences is found), on folded text so diacritics do not matter, with two
views that tolerate paraphrase: character 3–5-grams within words (spelling, word order, missing
diacritics) and word uni- and bigrams (shared wording). Similarity is the mean of the two cosines.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field
from sklearn.feature_extraction.text import HashingVectorizer

from nlp.fast_counts import CharNgramCounter
from nlp.matching import fast_fold
from records.textfold import fold

if TYPE_CHECKING:
    from store.base import Store

COLLECTION = "known_claims"
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_MAX_WINDOW_CHARS = 600


class KnownClaim(BaseModel):
    """A false claim verified by analysts, with the official correction."""

    model_config = ConfigDict(extra="ignore")

    claim_id: str
    claim: str = Field(min_length=1)
    correction: str = ""
    correction_url: str | None = None
    source: str | None = None
    added_by: str | None = None
    added_at: datetime | None = None
    incident_id: str | None = None


def load_claims(store: Store) -> list[KnownClaim]:
    """Every known claim in the store (collection ``known_claims``), skipping none silently:
    a malformed document raises pydantic's ValidationError naming the record."""
    return [KnownClaim.model_validate({"claim_id": rec.key, **rec.doc}) for rec in store.list_records(COLLECTION)]


@dataclass(frozen=True)
class ClaimMatch:
    claim: KnownClaim
    similarity: float
    passage: str  # the passage of the text that resembles the claim

    @property
    def reason(self) -> str:
        text = f"Giống tin sai đã xác minh: «{clip(self.claim.claim)}» (độ tương đồng {comma(self.similarity)})"
        if self.claim.correction:
            text += f"; thông tin chính thức: «{clip(self.claim.correction)}»"
        if self.claim.correction_url:
            text += f" ({self.claim.correction_url})"
        return text


def clip(text: str, limit: int = 160) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis (for quotes in reasons)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def comma(value: float) -> str:
    """``value`` with two decimals and a decimal comma, as the Vietnamese reasons write it ("0,88")."""
    return f"{value:.2f}".replace(".", ",")


_CHAR = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2**20, alternate_sign=False,
                          norm=None, lowercase=False, dtype=np.float32)
_WORD = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=2**20, alternate_sign=False, norm=None,
                          lowercase=False, token_pattern=r"(?u)\b\w+\b", dtype=np.float32)


def _unit_rows(x: sp.csr_matrix) -> sp.csr_matrix:
    """Sublinear counts scaled to unit rows: the values and entry order of ``sp.diags(1 / norms) @ x``
    (a product that reverses each row's entries), without that product's n_features-sized work array."""
    x = x.tocsr()
    x.data = 1.0 + np.log(x.data)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    indptr = x.indptr
    lengths = np.diff(indptr)
    rows = np.repeat(np.arange(len(lengths)), lengths)
    order = indptr[rows] + indptr[rows + 1] - 1 - np.arange(len(x.data))  # each row reversed
    data = (1.0 / norms)[rows] * x.data[order]
    return sp.csr_matrix((data, x.indices[order], indptr.copy()), shape=x.shape)


# _CHAR's counts, word by word with cached columns (the same matrix; tests/nlp/test_nlp_fast_paths.py).
_CHAR_COUNTER = CharNgramCounter(_CHAR.n_features, _CHAR.ngram_range)


def _vectors(folded: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    return _unit_rows(_CHAR_COUNTER.transform(folded)), _unit_rows(_WORD.transform(folded))


def windows(text: str) -> list[str]:
    """Sentences and pairs of adjacent sentences of ``text`` (each at most a few hundred characters)."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    out: list[str] = []
    for i, sentence in enumerate(sentences):
        out.append(sentence[:_MAX_WINDOW_CHARS])
        if i + 1 < len(sentences) and len(sentence) + len(sentences[i + 1]) < _MAX_WINDOW_CHARS:
            out.append(sentence + " " + sentences[i + 1])
    return out


_WORDS = re.compile(r"\w+")
# A text is compared sentence by sentence only if it shares at least this many word bigrams (and
# this share of the claim's bigrams) with some claim: a cheap set test that skips unrelated text.
MIN_SHARED_BIGRAMS = 2
MIN_SHARED_SHARE = 0.15


def _bigrams(folded: str) -> set[tuple[str, str]]:
    words = _WORDS.findall(folded)
    return set(itertools.pairwise(words))


class ClaimIndex:
    """Vectors of the known claims; rebuilt in milliseconds when the claims change."""

    def __init__(self, claims: Sequence[KnownClaim] = ()) -> None:
        self.claims = list(claims)
        # bigram -> the claims that contain it; the set test below costs what the text's bigrams
        # point to, not one comparison per claim (official statements run to thousands).
        self._postings: dict[tuple[str, str], list[int]] = {}
        self._needed: list[float] = []  # shared bigrams a claim needs: max(2, 15 % of its bigrams)
        if self.claims:
            folded = [fold(c.claim) for c in self.claims]
            char, word = _vectors(folded)
            # Transposed once here, not on every comparison.
            self._char_t, self._word_t = char.T.tocsr(), word.T.tocsr()
            for n, text in enumerate(folded):
                bigrams = _bigrams(text)
                self._needed.append(max(MIN_SHARED_BIGRAMS, MIN_SHARED_SHARE * len(bigrams)))
                for bigram in bigrams:
                    self._postings.setdefault(bigram, []).append(n)

    def _related(self, bigrams: set[tuple[str, str]]) -> bool:
        shared: dict[int, int] = {}
        for bigram in bigrams:
            for n in self._postings.get(bigram, ()):
                count = shared.get(n, 0) + 1
                if count >= self._needed[n]:
                    return True
                shared[n] = count
        return False

    def __len__(self) -> int:
        return len(self.claims)

    def match(
        self, texts: Sequence[str], *, min_similarity: float, folded: Sequence[str] | None = None
    ) -> list[ClaimMatch | None]:
        """For each text, its best-matching claim at or above ``min_similarity`` (else None).

        ``folded``: ``fast_fold`` of each text when the caller has it already.
        """
        if not self.claims or not texts:
            return [None] * len(texts)
        folded_texts = folded
        owners: list[int] = []
        passages: list[str] = []
        folded_passages: list[str] = []
        for i, text in enumerate(texts):
            if not self._related(_bigrams(folded_texts[i] if folded_texts is not None else fast_fold(text))):
                continue
            for window in windows(text):
                folded = fast_fold(window)
                if self._related(_bigrams(folded)):
                    owners.append(i)
                    passages.append(window)
                    folded_passages.append(folded)
        if not passages:
            return [None] * len(texts)
        char, word = _vectors(folded_passages)
        sim = np.asarray(((char @ self._char_t) + (word @ self._word_t)).todense()) / 2.0
        best_claim = sim.argmax(axis=1)
        best_sim = sim[np.arange(len(passages)), best_claim]
        out: list[ClaimMatch | None] = [None] * len(texts)
        owner_arr = np.asarray(owners)
        for i in range(len(texts)):
            rows = np.flatnonzero(owner_arr == i)
            if rows.size == 0:
                continue
            row = rows[int(best_sim[rows].argmax())]
            value = float(best_sim[row])
            if value >= min_similarity:
                out[i] = ClaimMatch(self.claims[int(best_claim[row])], round(min(value, 1.0), 4), passages[row])
        return out
