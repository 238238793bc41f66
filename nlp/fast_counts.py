"""Hashed character n-gram counts (scikit-learn's ``char_wb`` analyser) with the columns of each word remembered.

``HashingVectorizer(analyzer="char_wb")`` cuts and hashes every word of every text again in Python.
``char_wb`` n-grams never cross a word boundary, so the counts of a text are the sum of the counts
of its words; a word's columns are computed once and reused (Vietnamese has a few thousand
syllables). The matrix is the same as scikit-learn's (tests/nlp/test_nlp_fast_paths.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from nlp.bounded_memo import BoundedMemo

_CACHE_LIMIT = 100_000  # remembered words (or word pairs) per counter before its cache starts over (tens of MB at most)


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


def _count_matrix(columns: np.ndarray, lengths: np.ndarray, n_features: int) -> sp.csr_matrix:
    """The float32 CSR count matrix of ``len(lengths)`` rows whose columns are listed row after row in
    ``columns`` (``lengths[i]`` of them for row i, repeats counted), columns sorted within each row."""
    n_rows = len(lengths)
    if not len(columns):
        return sp.csr_matrix((n_rows, n_features), dtype=np.float32)
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    # One sort for the batch: (row, column) keys, counted; sorted columns within each row.
    keys, counts = np.unique(rows * n_features + columns, return_counts=True)
    key_rows = keys // n_features
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(key_rows, minlength=n_rows), out=indptr[1:])
    indices = (keys - key_rows * n_features).astype(np.int32)
    return sp.csr_matrix((counts.astype(np.float32), indices, indptr.astype(np.int32)), shape=(n_rows, n_features))


def _word_columns(word: str, n_features: int, ngram_range: tuple[int, int]) -> np.ndarray:
    """The columns of a word's ``char_wb`` n-grams (with repeats)."""
    grams = _wb_ngrams(word, *ngram_range)
    return np.fromiter((abs(murmurhash3_32(g, seed=0)) % n_features for g in grams), dtype=np.int64, count=len(grams))


class CharNgramCounter:
    """``HashingVectorizer(analyzer="char_wb", ngram_range, n_features, alternate_sign=False, norm=None,
    lowercase=False, dtype=float32).transform(texts)`` with per-word columns cached."""

    def __init__(self, n_features: int, ngram_range: tuple[int, int]) -> None:
        self.n_features = n_features
        self.ngram_range = ngram_range
        self._columns: BoundedMemo[str, np.ndarray] = BoundedMemo(
            partial(_word_columns, n_features=n_features, ngram_range=ngram_range), _CACHE_LIMIT
        )

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        pieces: list[np.ndarray] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        columns_of = self._columns.__getitem__
        for i, text in enumerate(texts):
            columns = list(map(columns_of, text.split()))
            pieces.extend(columns)
            lengths[i] = sum(map(len, columns))
        flat = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
        return _count_matrix(flat, lengths, self.n_features)


def _hash_column(feature: str, n_features: int) -> int:
    """A feature string's column: ``abs(murmurhash3_32(feature, seed=0)) % n_features``."""
    return int(abs(murmurhash3_32(feature, seed=0)) % n_features)


class WordNgramCounter:
    """``HashingVectorizer(ngram_range=(1, 2), token_pattern=pattern, n_features, alternate_sign=False, norm=None,
    lowercase=False, dtype=float32).transform(texts)`` with the column of each word and word pair cached."""

    def __init__(self, n_features: int, token_pattern: str) -> None:
        self.n_features = n_features
        self._tokens = re.compile(token_pattern)
        self._columns: BoundedMemo[str, int] = BoundedMemo(partial(_hash_column, n_features=n_features), _CACHE_LIMIT)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        columns: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        column_of = self._columns.__getitem__
        join = " ".join
        for i, text in enumerate(texts):
            tokens = self._tokens.findall(text)
            before = len(columns)
            columns.extend(map(column_of, tokens))
            columns.extend(map(column_of, map(join, pairwise(tokens))))
            lengths[i] = len(columns) - before
        return _count_matrix(np.asarray(columns, dtype=np.int64), lengths, self.n_features)
