"""Topic models: the shipped province topic model (multi-label) and the VNTC 10-topic benchmark model.

Shipped ``topics`` model: one logistic regression per topic of ``records.schema.TOPIC_IDS`` over hashed
word n-grams of the folded text, trained on the province topic set (train split) plus weak supervision
from VNTC train: four VNTC sections map to our topics (Suc khoe → health, Phap luat → public_order,
Kinh doanh → economy, Van hoa → tourism_culture) and two are negatives for every topic (The thao,
Vi tinh); the others are too mixed to use. VNTC documents are capped per section; their weight (0 =
not used), C and one probability threshold shared by all topics are chosen on the dev split. (On the
dev split VNTC weak labels have so far lowered micro-F1: 2006 national news is written unlike
province posts; the grid keeps the option and the card reports the trials.)

``vntc`` benchmark model: 10-class linear SVM-style classifier (softmax over scores, temperature chosen
on a held-out slice of train) over hashed word n-grams of the lower-cased text with diacritics.
It is evaluated on the VNTC test split after removing test texts that also occur in train.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

from nlp.models import FeatureSpec, TextClassifier
from nlp.training.common import (
    LABELLED_DIR,
    SEED,
    SHARED_DATA,
    dedup_key,
    drop_overlap,
    fit_idf,
    heldout_keys,
    model_text,
    multilabel_metrics,
    read_jsonl,
    temperature,
    tfidf,
    without_heldout,
)
from records.schema import TOPIC_IDS

VNTC_TO_TOPIC = {
    "Suc khoe": "health",
    "Phap luat": "public_order",
    "Kinh doanh": "economy",
    "Van hoa": "tourism_culture",
}
VNTC_NEGATIVE = frozenset({"The thao", "Vi tinh"})
VNTC_CAP_PER_SECTION = 1200
VNTC_WEIGHTS = (0.0, 0.2, 0.5)
TOPIC_C_GRID = (1.0, 4.0, 16.0)
VNTC_C = 0.6


@dataclass
class TopicResult:
    clf: TextClassifier
    metrics: dict[str, Any]
    hyper: dict[str, Any]
    data_files: list[Path]


def _stable_order(record: dict[str, Any]) -> str:
    return hashlib.sha256(str(record.get("doc_id", record["text"][:200])).encode("utf-8")).hexdigest()


def vntc_weak_examples(vntc_train: Sequence[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(text, topics) pairs from VNTC train: mapped sections and all-negative sections, capped per section."""
    by_section: dict[str, list[dict[str, Any]]] = {}
    for rec in vntc_train:
        if rec["label"] in VNTC_TO_TOPIC or rec["label"] in VNTC_NEGATIVE:
            by_section.setdefault(rec["label"], []).append(rec)
    out: list[tuple[str, list[str]]] = []
    for section in sorted(by_section):
        chosen = sorted(by_section[section], key=_stable_order)[:VNTC_CAP_PER_SECTION]
        topics = [VNTC_TO_TOPIC[section]] if section in VNTC_TO_TOPIC else []
        out.extend((rec["text"], topics) for rec in chosen)
    return out


def _label_matrix(label_lists: Sequence[Sequence[str]]) -> np.ndarray:
    y = np.zeros((len(label_lists), len(TOPIC_IDS)), dtype=int)
    for i, labels in enumerate(label_lists):
        for lab in labels:
            y[i, TOPIC_IDS.index(lab)] = 1
    return y


def _global_threshold(p: np.ndarray, y: np.ndarray) -> float:
    best_t, best_f1 = 0.5, -1.0
    for t in np.round(np.arange(0.1, 0.91, 0.02), 2):
        f1 = float(f1_score(y, (p >= t).astype(int), average="micro", zero_division=0))
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
    return best_t


def _fit_topics(x: sp.csr_matrix, y: np.ndarray, weights: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    coefs, intercepts = [], []
    for j in range(len(TOPIC_IDS)):
        model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", random_state=SEED)
        model.fit(x, y[:, j], sample_weight=weights)
        coefs.append(model.coef_.astype(np.float32))
        intercepts.append(model.intercept_)
    return np.vstack(coefs), np.concatenate(intercepts)


def train_topics(spec: FeatureSpec, vntc_train: Sequence[dict[str, Any]]) -> TopicResult:
    """Fit per-topic models; the VNTC weight (0 = not used), C and the shared threshold are chosen on dev."""
    heldout = heldout_keys()
    own = without_heldout(read_jsonl(LABELLED_DIR / "topics.jsonl"), heldout)
    split = {name: [r for r in own if r["split"] == name] for name in ("train", "dev", "test")}
    weak = [(t, topics) for t, topics in vntc_weak_examples(vntc_train) if dedup_key(t) not in heldout]
    own_counts = spec.counts([model_text(r) for r in split["train"]])
    weak_counts = spec.counts([model_text({"text": t}) for t, _ in weak])
    dev_counts = spec.counts([model_text(r) for r in split["dev"]])
    y_dev = _label_matrix([r["label"] for r in split["dev"]])
    n = len(TOPIC_IDS)
    trials: list[dict[str, float]] = []
    best: tuple[float, TextClassifier, float, float] | None = None
    for vntc_weight in VNTC_WEIGHTS:
        if vntc_weight > 0:
            counts = sp.vstack([own_counts, weak_counts], format="csr")
            labels = [r["label"] for r in split["train"]] + [topics for _, topics in weak]
            weights = np.array([1.0] * len(split["train"]) + [vntc_weight] * len(weak))
        else:
            counts = own_counts
            labels = [r["label"] for r in split["train"]]
            weights = np.ones(len(split["train"]))
        idf = fit_idf(counts)
        x = tfidf(counts, idf)
        y = _label_matrix(labels)
        for c in TOPIC_C_GRID:
            coef, intercept = _fit_topics(x, y, weights, c)
            clf = TextClassifier(
                task="topics",
                labels=list(TOPIC_IDS),
                mode="multilabel",
                spec=spec,
                idf=idf,
                coef=coef,
                intercept=intercept,
                calib_a=np.ones(n),
                calib_b=np.zeros(n),
            )
            dev_p = clf.proba_from_counts(dev_counts)
            threshold = _global_threshold(dev_p, y_dev)
            dev_f1 = float(f1_score(y_dev, (dev_p >= threshold).astype(int), average="micro", zero_division=0))
            trials.append(
                {"vntc_weight": vntc_weight, "C": c, "threshold": threshold, "dev_micro_f1": round(dev_f1, 4)}
            )
            if best is None or dev_f1 > best[0]:
                clf.thresholds = dict.fromkeys(TOPIC_IDS, threshold)
                best = (dev_f1, clf, vntc_weight, c)
    assert best is not None
    _f1, clf, vntc_weight, c = best
    metrics = {
        "dev": evaluate_topics(clf, split["dev"]),
        "test": evaluate_topics(clf, split["test"]),
        "grid_on_dev": trials,
        "how_measured": (
            "topics.jsonl deterministic split (hash of folded text): fitted on train"
            f" ({len(split['train'])} province examples), optionally + {len(weak)} VNTC train documents with"
            " weak labels; the VNTC weight (0 = VNTC not used), C and one threshold shared by all topics are"
            f" chosen on dev ({len(split['dev'])}) by micro-F1; test ({len(split['test'])}) never tuned on."
        ),
    }
    hyper = {
        "algorithm": "one-vs-rest LogisticRegression(liblinear, class_weight=balanced), sample weights",
        "C": c,
        "threshold": clf.threshold(TOPIC_IDS[0]),
        "vntc_weight": vntc_weight,
        "vntc_weights_tried": list(VNTC_WEIGHTS),
        "vntc_mapping": VNTC_TO_TOPIC,
        "vntc_negative_sections": sorted(VNTC_NEGATIVE),
        "vntc_cap_per_section": VNTC_CAP_PER_SECTION,
        "features": spec.to_dict(),
    }
    files = [LABELLED_DIR / "topics.jsonl", SHARED_DATA / "vntc" / "train.jsonl.gz"]
    return TopicResult(clf, metrics, hyper, files)


def evaluate_topics(clf: TextClassifier, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    proba = clf.predict_proba([model_text(r) for r in records])
    pred = (proba >= np.array([clf.threshold(lab) for lab in clf.labels])).astype(int)
    return multilabel_metrics(_label_matrix([r["label"] for r in records]), pred, clf.labels)


def vntc_test_deduplicated(
    vntc_train: Sequence[dict[str, Any]], vntc_test: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    return drop_overlap(list(vntc_test), vntc_train)


def train_vntc(
    spec: FeatureSpec, vntc_train: Sequence[dict[str, Any]], vntc_test: Sequence[dict[str, Any]]
) -> TopicResult:
    labels = sorted({r["label"] for r in vntc_train})
    index = {lab: i for i, lab in enumerate(labels)}
    texts = [model_text(r) for r in vntc_train]
    y = np.array([index[r["label"]] for r in vntc_train])
    counts = spec.counts(texts)
    idf = fit_idf(counts)
    x = tfidf(counts, idf)
    # Softmax temperature from a deterministic 10% slice of train held out of a first fit.
    held = np.array([int(_stable_order(r)[:2], 16) < 26 for r in vntc_train])
    probe = LinearSVC(C=VNTC_C, random_state=SEED).fit(x[~held], y[~held])
    temp = temperature(probe.decision_function(x[held]), y[held])
    model = LinearSVC(C=VNTC_C, random_state=SEED).fit(x, y)
    n = len(labels)
    clf = TextClassifier(
        task="vntc",
        labels=labels,
        mode="multiclass",
        spec=spec,
        idf=idf,
        coef=model.coef_.astype(np.float32),
        intercept=model.intercept_.astype(np.float64),
        calib_a=np.full(n, temp),
        calib_b=np.zeros(n),
    )
    test, dropped = vntc_test_deduplicated(vntc_train, vntc_test)
    metrics = {
        "test_dedup": evaluate_vntc(clf, test),
        "test_full": evaluate_vntc(clf, vntc_test),
        "dropped_test_texts_also_in_train": dropped,
        "published_anchor": "floor 0.932 accuracy (TF-IDF + LinearSVC sanity 0.9322 on the full test split)",
        "how_measured": (
            "Fitted on all of VNTC train; C fixed (0.6, chosen in exploratory runs on a train slice); softmax"
            " temperature on a deterministic 10% slice of train. test_dedup = VNTC test minus texts that also"
            " occur in train (NFC, case- and whitespace-insensitive); test_full = the whole official test split."
        ),
    }
    hyper = {"algorithm": "LinearSVC (one-vs-rest), softmax with temperature", "C": VNTC_C, "temperature": temp}
    files = [SHARED_DATA / "vntc" / "train.jsonl.gz", SHARED_DATA / "vntc" / "test.jsonl.gz"]
    return TopicResult(clf, metrics, {**hyper, "features": spec.to_dict()}, files)


def evaluate_vntc(clf: TextClassifier, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    proba = clf.predict_proba([model_text(r) for r in records])
    pred = proba.argmax(axis=1)
    y = np.array([clf.labels.index(r["label"]) for r in records])
    return {
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
        "n": len(records),
    }
