"""Comparison models on public hate/toxic-speech benchmarks (figures only, not shipped).

For each data set (ViCTSD binary toxicity, ViHSD 3-class): TF-IDF word uni+bigrams (sublinear tf, a
vocabulary fitted on the train split) and a class-balanced linear model. The text preparation, the
algorithm, C and per-class score offsets (a decision threshold for the binary task) are chosen on the
data set's dev split by macro-F1 (``choose_on_dev`` is never given test rows); the chosen model, fitted
on train, is then evaluated once on the test split minus every text that also occurs in train.
The figures go into the ``hate_speech`` model's metadata (``metrics.comparison_models``) and card.

    figures = comparisons()   # {"vihsd_3class": {...}, "victsd_toxic": {...}, "how_measured": "..."}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from nlp.normalize import normalize
from nlp.training.common import SEED, SHARED_DATA, drop_overlap, read_jsonl

PREPARATIONS = ("lower", "normalized")
GRID: tuple[tuple[str, float], ...] = (
    ("svm", 0.1), ("svm", 0.3), ("svm", 1.0), ("svm", 3.0),
    ("lr", 1.0), ("lr", 3.0), ("lr", 10.0), ("lr", 30.0),
)
BINARY_OFFSETS = np.round(np.arange(-1.5, 1.501, 0.05), 2) + 0.0
MULTICLASS_OFFSETS = np.round(np.arange(-1.5, 1.501, 0.1), 2) + 0.0
TOKEN_PATTERN = r"(?u)\b\w+\b"

ANCHORS = {
    "vihsd": "published mBERT (cased) macro-F1 0.627, accuracy 0.869 (authors' notebook, full test);"
    " TF-IDF+LinearSVC sanity 0.6339",
    "victsd": "floor macro-F1 0.706 (TF-IDF+LinearSVC sanity on the full test); PhoBERT toxic F1 0.594",
}


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with integer labels (indices into the data set's label list)."""

    texts: list[str]
    y: np.ndarray

    @classmethod
    def of(cls, records: Sequence[dict[str, Any]], labels: Sequence[str]) -> LabelledTexts:
        index = {lab: i for i, lab in enumerate(labels)}
        return cls([str(r["text"]) for r in records], np.array([index[r["label"]] for r in records], dtype=int))


@dataclass(frozen=True)
class Choice:
    """What the dev split chose: preparation, algorithm, C, per-class score offsets (class 0 fixed at 0)."""

    preparation: str
    algo: str
    c: float
    offsets: tuple[float, ...]
    dev_macro_f1: float
    trials: list[dict[str, Any]] = field(default_factory=list, compare=False)


def prepare(text: str, preparation: str) -> str:
    """``lower``: the text lower-cased as written; ``normalized``: ``nlp.normalize.normalize`` then lower-cased."""
    if preparation == "lower":
        return text.lower()
    if preparation == "normalized":
        return normalize(text).lower()
    raise ValueError(f"unknown preparation {preparation!r}")


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, token_pattern=TOKEN_PATTERN, lowercase=False, dtype=np.float32
    )


Model: TypeAlias = LinearSVC | LogisticRegression | OneVsRestClassifier


def _fit(x: sp.csr_matrix, y: np.ndarray, algo: str, c: float) -> Model:
    """Class-balanced linear model, one-vs-rest for more than two classes."""
    if algo == "svm":
        return LinearSVC(C=c, class_weight="balanced", random_state=SEED).fit(x, y)
    if algo == "lr":
        lr = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", random_state=SEED)
        return lr.fit(x, y) if len(np.unique(y)) <= 2 else OneVsRestClassifier(lr).fit(x, y)
    raise ValueError(f"unknown algorithm {algo!r}")


def class_scores(model: Model, x: sp.csr_matrix, n_labels: int) -> np.ndarray:
    """Scores n × n_labels; a binary model's single score becomes the columns [0, score]."""
    s = np.asarray(model.decision_function(x), dtype=np.float64)
    if n_labels == 2:
        return np.column_stack([np.zeros(len(s)), s])
    return s


def predict(scores: np.ndarray, offsets: Sequence[float]) -> np.ndarray:
    return np.asarray(scores + np.asarray(offsets), dtype=np.float64).argmax(axis=1)


def best_offsets(scores: np.ndarray, y: np.ndarray) -> tuple[tuple[float, ...], float]:
    """Per-class offsets added to the scores (class 0 fixed at 0) that maximise macro-F1 on ``y``.

    Binary: one threshold on a fine grid; three classes: the two other offsets on a coarser grid. Ties keep
    the offsets closest to zero (the order of the grid, sorted by size)."""
    n_labels = scores.shape[1]
    candidates: list[tuple[float, ...]]
    if n_labels == 2:
        candidates = [(0.0, float(o)) for o in BINARY_OFFSETS]
    elif n_labels == 3:
        candidates = [(0.0, float(a), float(b)) for a in MULTICLASS_OFFSETS for b in MULTICLASS_OFFSETS]
    else:
        candidates = [tuple([0.0] * n_labels)]
    candidates.sort(key=lambda offs: sum(abs(v) for v in offs))
    best: tuple[tuple[float, ...], float] = (tuple([0.0] * n_labels), -1.0)
    for offs in candidates:
        f1 = float(f1_score(y, predict(scores, offs), average="macro", zero_division=0))
        if f1 > best[1] + 1e-12:
            best = (offs, f1)
    return best


def choose_on_dev(
    train: LabelledTexts,
    dev: LabelledTexts,
    n_labels: int,
    *,
    preparations: Sequence[str] = PREPARATIONS,
    grid: Sequence[tuple[str, float]] = GRID,
) -> Choice:
    """Fit every (preparation, algorithm, C) on train and keep the best dev macro-F1 (with its offsets).

    Only train and dev are passed in: test rows never take part in a choice."""
    trials: list[dict[str, Any]] = []
    best: Choice | None = None
    for preparation in preparations:
        vec = _vectorizer()
        x_train = vec.fit_transform([prepare(t, preparation) for t in train.texts])
        x_dev = vec.transform([prepare(t, preparation) for t in dev.texts])
        for algo, c in grid:
            model = _fit(x_train, train.y, algo, c)
            offsets, f1 = best_offsets(class_scores(model, x_dev, n_labels), dev.y)
            trials.append(
                {"preparation": preparation, "algo": algo, "C": c, "offsets": list(offsets),
                 "dev_macro_f1": round(f1, 4)}
            )
            if best is None or f1 > best.dev_macro_f1:
                best = Choice(preparation, algo, c, offsets, f1)
    if best is None:
        raise ValueError("empty grid")
    return Choice(best.preparation, best.algo, best.c, best.offsets, best.dev_macro_f1, trials)


def fit_and_test(train: LabelledTexts, choice: Choice, test: LabelledTexts, n_labels: int) -> np.ndarray:
    """Predictions on ``test`` of the chosen configuration fitted on ``train``."""
    vec = _vectorizer()
    x_train = vec.fit_transform([prepare(t, choice.preparation) for t in train.texts])
    model = _fit(x_train, train.y, choice.algo, choice.c)
    x_test = vec.transform([prepare(t, choice.preparation) for t in test.texts])
    return predict(class_scores(model, x_test, n_labels), choice.offsets)


def without_train_texts(
    records: Sequence[dict[str, Any]], train: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """``records`` minus those whose text (NFC, case- and whitespace-insensitive) also occurs in ``train``."""
    return drop_overlap(list(records), train)


def benchmark(
    train_records: Sequence[dict[str, Any]],
    dev_records: Sequence[dict[str, Any]],
    test_records: Sequence[dict[str, Any]],
    labels: Sequence[str],
    *,
    positive: str | None = None,
    preparations: Sequence[str] = PREPARATIONS,
    grid: Sequence[tuple[str, float]] = GRID,
) -> dict[str, Any]:
    """Choose on dev (de-duplicated against train), evaluate once on test (de-duplicated against train)."""
    dev_kept, dev_dropped = without_train_texts(dev_records, train_records)
    test_kept, test_dropped = without_train_texts(test_records, train_records)
    train = LabelledTexts.of(train_records, labels)
    choice = choose_on_dev(
        train, LabelledTexts.of(dev_kept, labels), len(labels), preparations=preparations, grid=grid
    )
    test = LabelledTexts.of(test_kept, labels)
    pred = fit_and_test(train, choice, test, len(labels))
    per_class = f1_score(test.y, pred, average=None, labels=list(range(len(labels))), zero_division=0)
    out: dict[str, Any] = {
        "macro_f1": round(float(f1_score(test.y, pred, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(test.y, pred)), 4),
        "per_class_f1": {lab: round(float(v), 4) for lab, v in zip(labels, per_class, strict=True)},
        "n_test": len(test_kept),
        "dropped_test_texts_also_in_train": test_dropped,
        "dropped_dev_texts_also_in_train": dev_dropped,
        "train_size": len(train_records),
        "chosen_on_dev": {
            "preparation": choice.preparation,
            "algo": choice.algo,
            "C": choice.c,
            "offsets": list(choice.offsets),
            "dev_macro_f1": round(choice.dev_macro_f1, 4),
        },
        "dev_grid": choice.trials,
    }
    if positive is not None:
        pos = list(labels).index(positive)
        out["positive_f1"] = round(float(f1_score(test.y == pos, pred == pos, zero_division=0)), 4)
    return out


def _split(name: str, split: str, data_dir: Path) -> list[dict[str, Any]]:
    return read_jsonl(data_dir / name / f"{split}.jsonl")


def comparisons(data_dir: Path = SHARED_DATA) -> dict[str, Any]:
    """Figures of the non-shipped comparison models (ViHSD 3-class, ViCTSD toxic) on de-duplicated tests."""
    out: dict[str, Any] = {}
    for key, name, labels, positive in (
        ("vihsd_3class", "vihsd", ["CLEAN", "OFFENSIVE", "HATE"], None),
        ("victsd_toxic", "victsd", ["non_toxic", "toxic"], "toxic"),
    ):
        train, dev, test = (_split(name, s, data_dir) for s in ("train", "dev", "test"))
        out[key] = {**benchmark(train, dev, test, labels, positive=positive), "published_anchor": ANCHORS[name]}
    out["how_measured"] = (
        "Each comparison model: TF-IDF word uni+bigrams (sublinear tf, vocabulary fitted on the data set's train"
        " split) and a class-balanced LinearSVC or LogisticRegression (one-vs-rest) trained on train. The text"
        " preparation (lower-cased as written, or normalised then lower-cased), the algorithm, C and per-class"
        " score offsets (for the binary task: the decision threshold) were chosen on the dev split (minus texts"
        " also in train) by macro-F1; the chosen model was evaluated once on the test split after removing test"
        " texts that also occur in train. Not shipped."
    )
    return out


def data_files(data_dir: Path = SHARED_DATA) -> list[Path]:
    return [data_dir / name / f"{s}.jsonl" for name in ("vihsd", "victsd") for s in ("train", "dev", "test")]


__all__ = [
    "Choice",
    "LabelledTexts",
    "benchmark",
    "best_offsets",
    "choose_on_dev",
    "comparisons",
    "data_files",
    "fit_and_test",
    "prepare",
    "without_train_texts",
]
