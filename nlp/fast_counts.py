"""Hashed character n-gram counts (scikit-learn's ``char_wb`` analyser) with the columns of each word remembered.

``HashingVectorizer(analyzer="char_wb")`` cuts and hashes every word of every text again in Python.
``char_wb`` n-grams never cross a word boundary, so the counts of a text are the sum of the counts
of its words; a word's columns are computed once and reused (Vietnamese has a few thousand
syllables). The matrix is the same as scikit-learn's (tests/nlp/test_nlp_fast_paths.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

_CACHE_LIMIT = 500_000  # remembered words before the cache starts over


def _wb_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """The n-grams ``char_wb`` takes from one word (padded with a space on each side)."""
    w = " " + word + " "
    w_len = len(w)
    out: list[str] = []
    for n in range(min_n, max_n + 1):
        offset = 0
        out.append(w[offset : offset + n])
        while offset + n < w_len:
            offset += 1
            out.append(w[offset : offset + n])
        if offset == 0:  # a short word counts once
            break
    return out


class CharNgramCounter:
    """``HashingVectorizer(analyzer="char_wb", ngram_range, n_features, alternate_sign=False, norm=None,
    lowercase=False, dtype=float32).transform(texts)`` with per-word columns cached."""

    def __init__(self, n_features: int, ngram_range: tuple[int, int]) -> None:
        self.n_features = n_features
        self.ngram_range = ngram_range
        self._columns: dict[str, np.ndarray] = {}

    def _word_columns(self, word: str) -> np.ndarray:
        cols = self._columns.get(word)
        if cols is None:
            if len(self._columns) > _CACHE_LIMIT:
                self._columns.clear()
            grams = _wb_ngrams(word, *self.ngram_range)
            cols = np.fromiter(
                (abs(murmurhash3_32(g, seed=0)) % self.n_features for g in grams), dtype=np.int64, count=len(grams)
            )
            self._columns[word] = cols
        return cols

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        indices: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        for i, text in enumerate(texts):
            words = text.split()
            if words:
                cols, n = np.unique(np.concatenate([self._word_columns(w) for w in words]), return_counts=True)
                indices.append(cols)
                counts.append(n)
                indptr[i + 1] = indptr[i] + len(cols)
            else:
                indptr[i + 1] = indptr[i]
        if indices:
            all_indices = np.concatenate(indices).astype(np.int32)
            data = np.concatenate(counts).astype(np.float32)
        else:
            all_indices, data = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        return sp.csr_matrix((data, all_indices, indptr.astype(np.int32)), shape=(len(texts), self.n_features))
