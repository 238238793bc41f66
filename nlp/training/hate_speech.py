"""Hate/offensive speech: the shipped model (ViHOS, MIT) and the public comparisons (ViHSD, ViCTSD).

- Shipped: binary ``clean`` vs ``hate_speech`` trained on ViHOS train (text normalised; ViHOS keeps raw
  text for its span offsets). C, Platt calibration and the threshold are chosen on ViHOS dev.
- Compared on the ViHSD test split (OFFENSIVE + HATE → positive), after removing every ViHSD test text
  that also occurs in ViHOS train or dev (ViHOS was built from ViHSD comments with other splits).
- Comparison models (not shipped, figures only): a ViHSD-trained 3-class model (macro-F1 against the
  published mBERT 0.627) and a ViCTSD-trained toxic model (macro-F1 against the 0.706 floor), each tested
  on its test split de-duplicated against its own training texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from nlp.models import FeatureSpec, TextClassifier
from nlp.training.common import (
    SHARED_DATA,
    best_f1_threshold,
    binary_metrics,
    dedup_key,
    drop_overlap,
    fit_binary,
    fit_idf,
    fit_ovr,
    heldout_keys,
    model_text,
    platt,
    raw_scores,
    read_jsonl,
    tfidf,
)

TASK = "hate_speech"
C_GRID = (1.0, 4.0, 16.0)
COMPARISON_C_GRID = (0.5, 1.0, 4.0)
# Comparison models keep diacritics (word n-grams of the lower-cased text): on ViCTSD dev this beat the
# shipped models' folded word + character features; the shipped model folds for robustness instead.
COMPARISON_SPEC = FeatureSpec(n_features=2**18, ngram_max=2, fold=False)
VIHSD_POSITIVE = frozenset({"OFFENSIVE", "HATE"})


@dataclass
class HateResult:
    clf: TextClassifier
    metrics: dict[str, Any]
    hyper: dict[str, Any]
    data_files: list[Path]


def _split(name: str, split: str) -> list[dict[str, Any]]:
    return read_jsonl(SHARED_DATA / name / f"{split}.jsonl")


def _texts(records: Sequence[dict[str, Any]]) -> list[str]:
    return [model_text({"text": r["text"]}) for r in records]


def vihsd_binary_test(vihos_train_dev: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """ViHSD test without the texts that occur in ViHOS train/dev (the shipped model's training data)."""
    return drop_overlap(_split("vihsd", "test"), vihos_train_dev)


def train_shipped(spec: FeatureSpec) -> HateResult:
    train, dev, test = (_split("vihos", s) for s in ("train", "dev", "test"))
    heldout = heldout_keys()
    train = [r for r in train if dedup_key(r["text"]) not in heldout]
    x_counts = spec.counts(_texts(train))
    idf = fit_idf(x_counts)
    x_train = tfidf(x_counts, idf)
    y_train = np.array([r["label"] == "hate_offensive" for r in train], dtype=int)
    x_dev = tfidf(spec.counts(_texts(dev)), idf)
    y_dev = np.array([r["label"] == "hate_offensive" for r in dev], dtype=int)
    best: tuple[float, float] | None = None
    chosen = None
    for c in C_GRID:
        fit = fit_binary(x_train, y_train, c=c, algo="lr", class_weight="balanced")
        s = raw_scores(fit, x_dev)[:, 0]
        a, b = platt(s, y_dev)
        p = 1.0 / (1.0 + np.exp(-(a * s + b)))
        t = best_f1_threshold(p, y_dev)
        f1 = binary_metrics(y_dev, (p >= t).astype(int))["f1"]
        if best is None or f1 > best[0]:
            best, chosen = (f1, c), (fit, a, b, t)
    assert best is not None and chosen is not None
    fit, a, b, threshold = chosen
    clf = TextClassifier(
        task=TASK,
        labels=["clean", TASK],
        mode="binary",
        spec=spec,
        idf=idf,
        coef=fit.coef,
        intercept=fit.intercept,
        calib_a=np.array([a]),
        calib_b=np.array([b]),
        thresholds={TASK: threshold},
    )
    vihsd_test, dropped = vihsd_binary_test(train + dev)
    metrics = {
        "vihos_dev": evaluate_binary(clf, dev, positive={"hate_offensive"}),
        "vihos_test": evaluate_binary(clf, test, positive={"hate_offensive"}),
        "vihsd_test_binary": {
            **evaluate_binary(clf, vihsd_test, positive=VIHSD_POSITIVE),
            "dropped_overlap_with_vihos_train_dev": dropped,
        },
        "how_measured": (
            "Fitted on ViHOS train (normalised text); C, Platt calibration and the F1-optimal threshold chosen"
            " on ViHOS dev. vihos_test = official ViHOS test (binary label derived from spans). vihsd_test_binary"
            " = ViHSD test with OFFENSIVE+HATE as positive, minus every text that also occurs in ViHOS"
            " train/dev (NFC, case- and whitespace-insensitive match)."
        ),
    }
    hyper = {
        "algorithm": "LogisticRegression(liblinear, class_weight=balanced)",
        "C": best[1],
        "C_grid": list(C_GRID),
        "threshold": threshold,
        "threshold_rule": "max F1 on ViHOS dev",
        "features": spec.to_dict(),
        "train_size": len(train),
    }
    files = [SHARED_DATA / "vihos" / f"{s}.jsonl" for s in ("train", "dev", "test")]
    files.append(SHARED_DATA / "vihsd" / "test.jsonl")
    return HateResult(clf, metrics, hyper, files)


def evaluate_binary(
    clf: TextClassifier, records: Sequence[dict[str, Any]], *, positive: set[str] | frozenset[str]
) -> dict[str, Any]:
    proba = clf.predict_proba(_texts(records))[:, 1]
    y = np.array([r["label"] in positive for r in records], dtype=int)
    return binary_metrics(y, (proba >= clf.threshold(clf.labels[1])).astype(int))


def _multiclass_comparison(
    name: str, labels: list[str], spec: FeatureSpec, *, positive_for_binary: str | None = None
) -> dict[str, Any]:
    """Train on ``name`` train, choose C on dev (macro-F1), test on de-duplicated test once."""
    train, dev, test = (_split(name, s) for s in ("train", "dev", "test"))
    test, dropped = drop_overlap(test, train)
    index = {lab: i for i, lab in enumerate(labels)}
    counts = spec.counts(_texts(train))
    idf = fit_idf(counts)
    x_train = tfidf(counts, idf)
    y_train = np.array([index[r["label"]] for r in train])
    onehot = np.eye(len(labels), dtype=int)[y_train]
    x_dev = tfidf(spec.counts(_texts(dev)), idf)
    y_dev = np.array([index[r["label"]] for r in dev])
    best: tuple[float, float, float] | None = None  # dev macro-F1, C, binary score offset
    best_fit = None
    offsets = np.round(np.arange(-2.0, 2.01, 0.1), 2) if len(labels) == 2 else np.zeros(1)
    for c in COMPARISON_C_GRID:
        fit = fit_ovr(x_train, onehot if len(labels) > 2 else onehot[:, 1:], c=c, algo="lr", class_weight="balanced")
        for offset in offsets:
            pred = _predict(fit, x_dev, len(labels), offset=float(offset))
            f1 = float(f1_score(y_dev, pred, average="macro"))
            if best is None or f1 > best[0]:
                best, best_fit = (f1, c, float(offset)), fit
    assert best is not None and best_fit is not None
    x_test = tfidf(spec.counts(_texts(test)), idf)
    y_test = np.array([index[r["label"]] for r in test])
    pred = _predict(best_fit, x_test, len(labels), offset=best[2])
    out: dict[str, Any] = {
        "macro_f1": round(float(f1_score(y_test, pred, average="macro")), 4),
        "accuracy": round(float(accuracy_score(y_test, pred)), 4),
        "n_test": len(test),
        "dropped_test_texts_also_in_train": dropped,
        "C": best[1],
        "decision_offset": best[2],
        "dev_macro_f1": round(best[0], 4),
        "train_size": len(train),
    }
    if positive_for_binary is not None:
        pos = index[positive_for_binary]
        out["positive_f1"] = round(float(f1_score(y_test == pos, pred == pos)), 4)
    return out


def _predict(fit: Any, x: Any, n_labels: int, *, offset: float = 0.0) -> np.ndarray:
    scores = raw_scores(fit, x)
    if n_labels == 2:
        return (scores[:, 0] > offset).astype(int)
    return scores.argmax(axis=1)


def comparisons(spec: FeatureSpec = COMPARISON_SPEC) -> dict[str, Any]:
    """Figures of the non-shipped comparison models on the public benchmarks."""
    return {
        "vihsd_3class": {
            **_multiclass_comparison("vihsd", ["CLEAN", "OFFENSIVE", "HATE"], spec),
            "published_anchor": "mBERT macro-F1 0.627 (authors' notebook); TF-IDF+LinearSVC sanity 0.6339",
        },
        "victsd_toxic": {
            **_multiclass_comparison("victsd", ["non_toxic", "toxic"], spec, positive_for_binary="toxic"),
            "published_anchor": "floor macro-F1 0.706 (TF-IDF+LinearSVC sanity); PhoBERT toxic F1 0.594",
        },
        "how_measured": (
            "Each comparison model: hashed word uni+bigrams of the lower-cased normalised text (diacritics kept;"
            f" {COMPARISON_SPEC.n_features} columns) and LogisticRegression (one-vs-rest, balanced) trained on the"
            " data set's train split, C (and for binary tasks the decision offset) chosen on its dev split by"
            " macro-F1, evaluated once on its test split"
            " after removing test texts that also occur in train. Not shipped."
        ),
    }
