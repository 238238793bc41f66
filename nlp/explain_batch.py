"""Classifier probabilities and explanations for a batch, hashing every text once.

``TextClassifier.explain`` hashes its text again and maps every word to its columns on each call
(about 3 ms). Here the hashed counts of the batch (the ones the probabilities come from) are kept,
and the columns and weights of a word are remembered across texts. The result is exactly
``ShippedModels.predict_all`` and ``TextClassifier.explain`` (tests/nlp/test_nlp_fast_paths.py
compares them on the sample content).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import mul
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from nlp.bounded_memo import BoundedMemo
from nlp.fast_counts import CharNgramCounter, WordNgramCounter

if TYPE_CHECKING:
    from nlp.models import FeatureSpec, ShippedModels, TextClassifier

_ZEROS = repeat(0.0)  # endless default values for dict.get in map
_CACHE_LIMIT = 50_000  # remembered (model, word) entries before the caches start over (tens of MB at most)
# The FeatureSpec format whose character block is scikit-learn's char_wb on the first char_prefix
# prepared characters (nlp.models.FeatureSpec.counts); any other format goes through spec.counts.
_KNOWN_FEATURE_FORMAT = 1


class BatchScores:
    """Probabilities of every shipped model for one batch of texts, with the counts kept for ``explain``."""

    def __init__(self, models: ShippedModels, texts: Sequence[str], explainer: BatchExplainer) -> None:
        self.texts = list(texts)
        self._explainer = explainer
        cache: dict[tuple[Any, ...], Any] = {}
        self._counts: dict[FeatureSpec, sp.csr_matrix] = {}
        self.proba: dict[str, np.ndarray] = {}
        self._tfidf: dict[int, sp.csr_matrix] = {}  # by id of a model in ``models``
        from nlp.models import tfidf  # nlp.models loads scikit-learn: imported when models are in use

        for task in models.tasks:  # as ShippedModels.predict_all, keeping the counts and each model's tf-idf
            clf = models.get(task)
            if clf.spec not in self._counts:
                self._counts[clf.spec] = explainer.counts(clf.spec, self.texts, cache)
            x = self._tfidf[id(clf)] = tfidf(self._counts[clf.spec], clf.idf)
            self.proba[task] = clf.proba_from_features(x)

    def explain(self, clf: TextClassifier, label: str, index: int, k: int = 5) -> list[str]:
        """``clf.explain(texts[index], label, k)`` from the batch's counts."""
        from nlp.models import tfidf  # nlp.models loads scikit-learn: imported when models are in use

        x = self._tfidf.get(id(clf))
        if x is None:
            x = self._tfidf[id(clf)] = tfidf(self._counts[clf.spec], clf.idf)
        start, end = x.indptr[index], x.indptr[index + 1]
        return self._explainer.explain(clf, label, self.texts[index], x.indices[start:end], x.data[start:end], k)


class BatchExplainer:
    """``FeatureSpec.counts`` and ``TextClassifier.explain`` with per-word columns remembered across batches."""

    def __init__(self) -> None:
        self._char_counters: dict[tuple[int, tuple[int, int]], CharNgramCounter] = {}
        self._word_counters: dict[tuple[int, str], WordNgramCounter] = {}
        self._words: dict[tuple[int, int, float, str], tuple[int, float, tuple[int, ...], tuple[float, ...]]] = {}
        self._pairs: dict[tuple[int, int, float, str], tuple[int, float]] = {}
        self._prepared: dict[bool, BoundedMemo[str, str]] = {}  # by FeatureSpec.fold: token → prepare(token)
        self._spec_columns: dict[FeatureSpec, dict[str, tuple[int, tuple[int, ...]]]] = {}
        self._models: dict[int, TextClassifier] = {}  # keeps the models alive so their ids stay theirs

    def counts(self, spec: FeatureSpec, texts: Sequence[str], cache: dict[tuple[Any, ...], Any]) -> sp.csr_matrix:
        """``spec.counts(texts, cache)`` with the word and character blocks from the cached counters (same matrix)."""
        if spec.to_dict().get("format") != _KNOWN_FEATURE_FORMAT:
            return spec.counts(texts, cache)
        words = None
        if spec.ngram_max == 2:
            pattern = str(spec.hasher().token_pattern)
            word_counter = self._word_counters.get((spec.n_features, pattern))
            if word_counter is None:
                word_counter = self._word_counters[(spec.n_features, pattern)] = WordNgramCounter(
                    spec.n_features, pattern
                )
            words = word_counter.transform
        counter_key = (spec.char_features, spec.char_range)
        char_counter = self._char_counters.get(counter_key)
        if char_counter is None and spec.char_features:
            char_counter = self._char_counters[counter_key] = CharNgramCounter(spec.char_features, spec.char_range)
        return spec.counts(texts, cache, words=words, chars=char_counter.transform if char_counter else None)

    def _prepared_tokens(self, spec: FeatureSpec, tokens: list[str]) -> list[str]:
        """``[spec.prepare(t) for t in tokens]`` through a cache per ``spec.fold`` (prepare depends on nothing else)."""
        cache = self._prepared.get(spec.fold)
        if cache is None:
            cache = self._prepared[spec.fold] = BoundedMemo(spec.prepare, _CACHE_LIMIT)
        return list(map(cache.__getitem__, tokens))

    def _word_columns(self, spec: FeatureSpec, token: str) -> tuple[int, tuple[int, ...]]:
        """(``spec.bucket(token)``, ``spec.char_columns(token)``), shared by the models with the same spec."""
        columns = self._spec_columns.get(spec)
        if columns is None:
            columns = self._spec_columns[spec] = {}
        entry = columns.get(token)
        if entry is None:
            if len(columns) > _CACHE_LIMIT:
                columns.clear()
            entry = columns[token] = (spec.bucket(token), tuple(spec.char_columns(token)))
        return entry

    def explain(
        self, clf: TextClassifier, label: str, text: str, columns: np.ndarray, values: np.ndarray, k: int = 5
    ) -> list[str]:
        """The words of ``TextClassifier.explain(text, label, k)``; ``columns``/``values``: the text's tf-idf row."""
        if label not in clf.labels:
            raise KeyError(f"{clf.task} has no label {label!r}; labels: {clf.labels}")
        if clf.mode == "binary":
            row, sign = 0, (1.0 if label == clf.labels[1] else -1.0)
        else:
            row, sign = clf.labels.index(label), 1.0
        from nlp.models import TOKEN_RE, adjacent_tokens, choose_reasons

        lowered = text.lower()
        matches = list(TOKEN_RE.finditer(lowered))
        surface = [m.group() for m in matches]
        if not surface:
            return []
        spec = clf.spec
        prepared = self._prepared_tokens(spec, surface)
        value_of = dict(zip(columns.tolist(), values.tolist(), strict=True))
        weights = clf.coef[row]
        model_key = id(clf)
        self._models.setdefault(model_key, clf)
        if len(self._words) > _CACHE_LIMIT or len(self._pairs) > _CACHE_LIMIT:
            self._words.clear()
            self._pairs.clear()

        word_score: dict[str, float] = {}
        for tok in prepared:
            if tok not in word_score:
                wkey = (model_key, row, sign, tok)
                entry = self._words.get(wkey)
                if entry is None:
                    bucket, cols = self._word_columns(spec, tok)
                    ws = tuple(sign * float(weights[col]) for col in cols)
                    entry = self._words[wkey] = (bucket, sign * float(weights[bucket]), cols, ws)
                bucket, own, cols, ws = entry
                # The same products, added in the same order, as explain's generator (map keeps it in C).
                word_score[tok] = own * value_of.get(bucket, 0.0) + sum(map(mul, ws, map(value_of.get, cols, _ZEROS)))
        candidates: dict[str, tuple[float, str]] = {}
        for i, tok in enumerate(prepared):
            candidates.setdefault(tok, (word_score[tok], surface[i]))
            if spec.ngram_max >= 2 and i + 1 < len(prepared) and adjacent_tokens(lowered, matches[i], matches[i + 1]):
                key = f"{tok} {prepared[i + 1]}"
                pkey = (model_key, row, sign, key)
                pair = self._pairs.get(pkey)
                if pair is None:
                    col = spec.bucket(key)
                    pair = self._pairs[pkey] = (col, sign * float(weights[col]))
                score = pair[1] * value_of.get(pair[0], 0.0) + word_score[tok] + word_score[prepared[i + 1]]
                candidates.setdefault(key, (score, f"{surface[i]} {surface[i + 1]}"))
        return choose_reasons(candidates, k)
