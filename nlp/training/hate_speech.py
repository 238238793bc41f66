"""Hate speech: the shipped model (ViHOS, MIT, plus the project's hate sets) and its ViHSD check.

- Shipped: binary ``clean`` vs ``hate_speech`` trained on ViHOS train (text normalised; ViHOS keeps raw
  text for its span offsets) at a small weight plus the project-written hate sets (ViHOS marks plain
  offensive language too; DESIGN's hate speech is contempt for a group). ViHOS weight, C, calibration and
  threshold are chosen by repeated cross-validation on the project sets, the threshold for the system's
  rule (the flag also requires a group-target cue).
- Compared on the ViHSD test split (OFFENSIVE + HATE → positive), after removing every ViHSD test text
  that also occurs in ViHOS train or dev (ViHOS was built from ViHSD comments with other splits).
- The comparison models on the public benchmarks (ViHSD 3-class, ViCTSD toxic) live in
  ``nlp.training.public_benchmarks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from nlp.cues import load_cues
from nlp.flags import load_flag_rules
from nlp.matching import FoldedText
from nlp.models import FeatureSpec, TextClassifier
from nlp.training.common import (
    LABELLED_DIR,
    SEED,
    SHARED_DATA,
    binary_metrics,
    dedup_key,
    drop_overlap,
    fit_idf,
    heldout_keys,
    model_text,
    other_author_files,
    other_author_rows,
    platt,
    read_jsonl,
    split_of,
    tfidf,
    without_heldout,
)

TASK = "hate_speech"
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


# ViHOS marks plain offensive language (insults to one person, swearing) as positive; DESIGN's hate speech is
# contempt for a group. ViHOS rows therefore get a small weight next to the project's examples (weight 1),
# chosen by cross-validation with C; the weight grid stays above 0 so the model still learns from ViHOS.
VIHOS_WEIGHTS = (0.02, 0.05, 0.2)
HATE_C_GRID = (4.0, 16.0)
CV_REPEATS = 2


def _own_records() -> list[dict[str, Any]]:
    path = LABELLED_DIR / "hate_speech.jsonl"
    return read_jsonl(path) if path.is_file() else []


def other_author_records() -> list[dict[str, Any]]:
    """The retired held-out sets' hate files (other authors), with deterministic splits by set and id (v1's rows
    keep the id-only key they had before the other sets were pooled, so their splits did not move)."""
    return [{**r, "split": split_of(r["id"] if r["source"] == "second_author" else f"{r['source']}/{r['id']}")}
            for r in other_author_rows("hate.jsonl")]


def group_gate(texts: Sequence[str]) -> np.ndarray:
    """Whether each (normalised) text names a group: the cue groups the system requires for the flag."""
    rules = load_flag_rules()
    required = set(rules.kinds[TASK].requires)
    cues = load_cues()
    return np.array(
        [bool(required & {h.group.name for h in cues.find(FoldedText.of(t))}) if required else True for t in texts]
    )


def _gated_threshold(p: np.ndarray, y: np.ndarray, gate: np.ndarray) -> tuple[float, float, float]:
    """(threshold, F1 of classifier AND gate, F1 of the classifier alone): the threshold maximises the first
    F1, ties broken by the second (so within the gated optimum the classifier alone stays precise too)."""
    best: tuple[float, float, float] | None = None
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        flagged = p >= t
        gated = binary_metrics(y, (flagged & gate).astype(int))["f1"]
        plain = binary_metrics(y, flagged.astype(int))["f1"]
        if best is None or (gated, plain) > best[1:]:
            best = (float(t), gated, plain)
    assert best is not None
    return best


@dataclass
class HateFit:
    clf: TextClassifier
    cv: dict[str, Any]


def fit_hate(own_tune: Sequence[dict[str, Any]], spec: FeatureSpec, vihos_train: Sequence[dict[str, Any]]) -> HateFit:
    """ViHOS train plus project examples; ViHOS weight, C, calibration and threshold by repeated 5-fold CV.

    The threshold maximises out-of-fold F1 of the *system rule*: a text is flagged only when it names a group
    (``group_gate``, the flag's ``requires`` cue groups) and the probability reaches the threshold.
    """
    texts = _texts(vihos_train) + [model_text(r) for r in own_tune]
    y = np.array(
        [r["label"] == "hate_offensive" for r in vihos_train] + [r["label"] == TASK for r in own_tune], dtype=int
    )
    n_vihos = len(vihos_train)
    counts = spec.counts(texts)
    idf = fit_idf(counts)
    x = tfidf(counts, idf)
    y_own = y[n_vihos:]
    gate_own = group_gate(texts[n_vihos:])
    best: tuple[float, float, float, float, float, float, float] | None = None  # f1, plain f1, w, C, a, b, t
    for weight in VIHOS_WEIGHTS:
        sample_weight = np.concatenate([np.full(n_vihos, weight), np.ones(len(own_tune))])
        for c in HATE_C_GRID:
            scores = []
            for rep in range(CV_REPEATS):
                oof = np.zeros(len(own_tune))
                folds = StratifiedKFold(5, shuffle=True, random_state=SEED + rep)
                for fit_own, held_own in folds.split(np.zeros(len(own_tune)), y_own):
                    rows = np.concatenate([np.arange(n_vihos), n_vihos + fit_own])
                    model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", random_state=SEED)
                    model.fit(x[rows], y[rows], sample_weight=sample_weight[rows])
                    oof[held_own] = model.decision_function(x[n_vihos + held_own])
                scores.append(oof)
            s_all = np.concatenate(scores)
            y_all = np.tile(y_own, CV_REPEATS)
            g_all = np.tile(gate_own, CV_REPEATS)
            a, b = platt(s_all, y_all)
            p = 1.0 / (1.0 + np.exp(-(a * s_all + b)))
            t, f1, plain = _gated_threshold(p, y_all, g_all)
            if best is None or (f1, plain) > best[:2]:
                best = (f1, plain, weight, c, a, b, t)
    assert best is not None
    cv_f1, plain_f1, weight, c_best, a, b, threshold = best
    sample_weight = np.concatenate([np.full(n_vihos, weight), np.ones(len(own_tune))])
    model = LogisticRegression(C=c_best, solver="liblinear", class_weight="balanced", random_state=SEED)
    model.fit(x, y, sample_weight=sample_weight)
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
    cv = {
        "cv_f1_with_group_gate": round(cv_f1, 4),
        "cv_f1_classifier_alone": round(plain_f1, 4),
        "vihos_weight": weight,
        "C": c_best,
        "threshold": threshold,
        "n_tune": len(own_tune),
    }
    return HateFit(clf, cv)


def evaluate_gated(clf: TextClassifier, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Classifier alone and classifier + group gate (the system's rule) on project-format records."""
    texts = [model_text(r) for r in records]
    proba = clf.predict_proba(texts)[:, 1]
    y = np.array([r["label"] == TASK for r in records], dtype=int)
    pred = proba >= clf.threshold(TASK)
    return {
        "classifier": binary_metrics(y, pred.astype(int)),
        "with_group_gate": binary_metrics(y, (pred & group_gate(texts)).astype(int)),
    }


def train_shipped(spec: FeatureSpec) -> HateResult:
    """ViHOS train plus the project's hate set and the other authors' (DESIGN: contempt for a group).

    ViHOS weight, C, calibration and threshold from repeated 5-fold out-of-fold scores of those sets'
    train+dev examples (ViHOS train stays in every fit); their test splits are reported only.
    """
    train, dev, test = (_split("vihos", s) for s in ("train", "dev", "test"))
    heldout = heldout_keys()
    train = [r for r in train if dedup_key(r["text"]) not in heldout]
    own = without_heldout(_own_records(), heldout) + without_heldout(other_author_records(), heldout)
    own_tune = [r for r in own if r["split"] in ("train", "dev")]
    own_test = [r for r in own if r["split"] == "test"]
    fit = fit_hate(own_tune, spec, train)
    clf = fit.clf
    vihsd_test, dropped = vihsd_binary_test(train + dev)
    metrics = {
        "cross_validated_f1_own_set": fit.cv["cv_f1_with_group_gate"],
        "cross_validation": fit.cv,
        "own_test": evaluate_binary(clf, own_test, positive={TASK}),
        "own_test_with_group_gate": evaluate_gated(clf, own_test)["with_group_gate"],
        "vihos_dev": evaluate_binary(clf, dev, positive={"hate_offensive"}),
        "vihos_test": evaluate_binary(clf, test, positive={"hate_offensive"}),
        "vihsd_test_binary": {
            **evaluate_binary(clf, vihsd_test, positive=VIHSD_POSITIVE),
            "dropped_overlap_with_vihos_train_dev": dropped,
        },
        "how_measured": (
            "Fitted on ViHOS train (normalised text, small sample weight) plus the project-written hate sets"
            " (nlp/labelled/train/hate_speech.jsonl and the retired held-out sets' second_author/hate.jsonl and"
            " third_author/hate.jsonl, train+dev:"
            f" {len(own_tune)} examples, weight 1). ViHOS weight, C, Platt calibration and threshold from"
            f" {CV_REPEATS}x repeated 5-fold out-of-fold scores of those examples; the threshold maximises F1 of"
            " the system rule (flag only when the text names a group: the flag's `requires` cue groups)."
            f" own_test = those sets' {len(own_test)} test examples (classifier alone; with_group_gate = the"
            " system rule). vihos_test = official ViHOS test (derived binary label, which also counts plain"
            " offensive language: a low recall there is intended). vihsd_test_binary = ViHSD test with"
            " OFFENSIVE+HATE positive, minus every text also in ViHOS train/dev."
        ),
    }
    hyper = {
        "algorithm": "LogisticRegression(liblinear, class_weight=balanced), sample weights",
        "C": fit.cv["C"],
        "C_grid": list(HATE_C_GRID),
        "vihos_weight": fit.cv["vihos_weight"],
        "vihos_weights_tried": list(VIHOS_WEIGHTS),
        "own_set_weight": 1.0,
        "threshold": fit.cv["threshold"],
        "threshold_rule": "max out-of-fold F1 of classifier AND group gate on the project hate sets, ties broken by"
        " the classifier's own F1",
        "features": spec.to_dict(),
        "train_size": len(train) + len(own_tune),
    }
    files = [SHARED_DATA / "vihos" / f"{s}.jsonl" for s in ("train", "dev", "test")]
    files += [SHARED_DATA / "vihsd" / "test.jsonl", LABELLED_DIR / "hate_speech.jsonl"]
    files += other_author_files("hate.jsonl")
    return HateResult(clf, metrics, hyper, files)


def evaluate_binary(
    clf: TextClassifier, records: Sequence[dict[str, Any]], *, positive: set[str] | frozenset[str]
) -> dict[str, Any]:
    proba = clf.predict_proba(_texts(records))[:, 1]
    y = np.array([r["label"] in positive for r in records], dtype=int)
    return binary_metrics(y, (proba >= clf.threshold(clf.labels[1])).astype(int))
