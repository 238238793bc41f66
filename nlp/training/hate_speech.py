"""Hate/offensive speech: the shipped model (ViHOS, MIT) and the public comparisons (ViHSD, ViCTSD).

- Shipped: binary ``clean`` vs ``hate_speech`` trained on ViHOS train (text normalised; ViHOS keeps raw
  text for its span offsets) plus the project's own hate set, whose weight, C, calibration and threshold
  are chosen by repeated cross-validation on that set (ViHOS marks plain offensive language too;
  DESIGN's hate speech is contempt for a group).
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
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from nlp.models import FeatureSpec, TextClassifier
from nlp.training.common import (
    LABELLED_DIR,
    SEED,
    SHARED_DATA,
    best_f1_threshold,
    binary_metrics,
    dedup_key,
    drop_overlap,
    fit_idf,
    fit_ovr,
    heldout_keys,
    model_text,
    platt,
    raw_scores,
    read_jsonl,
    tfidf,
    without_heldout,
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


OWN_WEIGHTS = (0.0, 5.0, 20.0)
CV_REPEATS = 3


def _own_records() -> list[dict[str, Any]]:
    path = LABELLED_DIR / "hate_speech.jsonl"
    return read_jsonl(path) if path.is_file() else []


def train_shipped(spec: FeatureSpec) -> HateResult:
    """ViHOS train plus the project's hate set (DESIGN's definition: contempt for a group, not rudeness).

    The project set's weight (0 = ViHOS alone), C, calibration and threshold are chosen on repeated 5-fold
    out-of-fold scores of the project set's train+dev examples (ViHOS train stays in every fit).
    """
    train, dev, test = (_split("vihos", s) for s in ("train", "dev", "test"))
    heldout = heldout_keys()
    train = [r for r in train if dedup_key(r["text"]) not in heldout]
    own = without_heldout(_own_records(), heldout)
    own_tune = [r for r in own if r["split"] in ("train", "dev")]
    own_test = [r for r in own if r["split"] == "test"]
    texts = _texts(train) + [model_text(r) for r in own_tune]
    y = np.array([r["label"] == "hate_offensive" for r in train] + [r["label"] == TASK for r in own_tune], dtype=int)
    n_vihos = len(train)
    counts = spec.counts(texts)
    idf = fit_idf(counts)
    x = tfidf(counts, idf)
    y_own = y[n_vihos:]

    best: tuple[float, float, float, float, float, float] | None = None  # f1, weight, C, a, b, threshold
    for weight in OWN_WEIGHTS:
        sample_weight = np.concatenate([np.ones(n_vihos), np.full(len(own_tune), weight)])
        for c in C_GRID:
            scores = []
            for rep in range(CV_REPEATS):
                oof = np.zeros(len(own_tune))
                folds = StratifiedKFold(5, shuffle=True, random_state=SEED + rep)
                for fit_own, held_own in folds.split(np.zeros(len(own_tune)), y_own):
                    rows = np.concatenate([np.arange(n_vihos), n_vihos + fit_own])
                    model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", random_state=SEED)
                    model.fit(x[rows], y[rows], sample_weight=np.maximum(sample_weight[rows], 1e-6))
                    oof[held_own] = model.decision_function(x[n_vihos + held_own])
                scores.append(oof)
            s_all = np.concatenate(scores)
            y_all = np.tile(y_own, CV_REPEATS)
            a, b = platt(s_all, y_all)
            p = 1.0 / (1.0 + np.exp(-(a * s_all + b)))
            t = best_f1_threshold(p, y_all)
            f1 = binary_metrics(y_all, (p >= t).astype(int))["f1"]
            if best is None or f1 > best[0]:
                best = (f1, weight, c, a, b, t)
    assert best is not None
    cv_f1, weight, c_best, a, b, threshold = best
    sample_weight = np.concatenate([np.ones(n_vihos), np.full(len(own_tune), weight)])
    model = LogisticRegression(C=c_best, solver="liblinear", class_weight="balanced", random_state=SEED)
    model.fit(x, y, sample_weight=np.maximum(sample_weight, 1e-6))
    clf = TextClassifier(
        task=TASK,
        labels=["clean", TASK],
        mode="binary",
        spec=spec,
        idf=idf,
        coef=model.coef_.astype(np.float32),
        intercept=model.intercept_.astype(np.float64),
        calib_a=np.array([a]),
        calib_b=np.array([b]),
        thresholds={TASK: threshold},
    )
    vihsd_test, dropped = vihsd_binary_test(train + dev)
    metrics = {
        "cross_validated_f1_own_set": round(cv_f1, 4),
        "own_test": evaluate_binary(clf, own_test, positive={TASK}),
        "vihos_dev": evaluate_binary(clf, dev, positive={"hate_offensive"}),
        "vihos_test": evaluate_binary(clf, test, positive={"hate_offensive"}),
        "vihsd_test_binary": {
            **evaluate_binary(clf, vihsd_test, positive=VIHSD_POSITIVE),
            "dropped_overlap_with_vihos_train_dev": dropped,
        },
        "how_measured": (
            "Fitted on ViHOS train (normalised text) plus the project's hate set (nlp/labelled/train/"
            f"hate_speech.jsonl, train+dev: {len(own_tune)} examples) at a weight chosen with C, Platt calibration"
            f" and the F1-optimal threshold on {CV_REPEATS}x repeated 5-fold out-of-fold scores of those project"
            " examples (DESIGN's definition: contempt for a group; rudeness to one person is not hate speech)."
            f" own_test = the project set's {len(own_test)} test examples. vihos_test = official ViHOS test"
            " (derived binary label, which also counts plain offensive language). vihsd_test_binary = ViHSD test"
            " with OFFENSIVE+HATE positive, minus every text also in ViHOS train/dev."
        ),
    }
    hyper = {
        "algorithm": "LogisticRegression(liblinear, class_weight=balanced), sample weights",
        "C": c_best,
        "C_grid": list(C_GRID),
        "own_set_weight": weight,
        "own_set_weights_tried": list(OWN_WEIGHTS),
        "threshold": threshold,
        "threshold_rule": "max out-of-fold F1 on the project's hate set",
        "features": spec.to_dict(),
        "train_size": len(train) + len(own_tune),
    }
    files = [SHARED_DATA / "vihos" / f"{s}.jsonl" for s in ("train", "dev", "test")]
    files += [SHARED_DATA / "vihsd" / "test.jsonl", LABELLED_DIR / "hate_speech.jsonl"]
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
