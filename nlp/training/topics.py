"""Topic models: the shipped province topic model (multi-label) and the VNTC 10-topic benchmark model.

Shipped ``topics`` model: one logistic regression per topic of ``records.schema.TOPIC_IDS`` over hashed
word n-grams of the folded text, trained on the province topic set (train split) plus weak supervision
from VNTC train: four VNTC sections map to our topics (Suc khoe → health, Phap luat → public_order,
Kinh doanh → economy, Van hoa → tourism_culture) and two are negatives for every topic (The thao,
Vi tinh); the others are too mixed to use. VNTC documents are capped per section and weigh less than
the province examples. One probability threshold shared by all topics is chosen on the dev split.

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
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

from nlp.models import FeatureSpec, TextClassifier
from nlp.training.common import (
    LABELLED_DIR,
    SEED,
    SHARED_DATA,
    drop_overlap,
    fit_idf,
    model_text,
    multilabel_metrics,
    read_jsonl,
    temperature,
    tfidf,
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
VNTC_WEIGHT = 0.5
TOPIC_C = 4.0
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


def train_topics(spec: FeatureSpec, vntc_train: Sequence[dict[str, Any]]) -> TopicResult:
    from sklearn.linear_model import LogisticRegression

    own = read_jsonl(LABELLED_DIR / "topics.jsonl")
    split = {name: [r for r in own if r["split"] == name] for name in ("train", "dev", "test")}
    weak = vntc_weak_examples(vntc_train)
    texts = [model_text(r) for r in split["train"]] + [model_text({"text": t}) for t, _ in weak]
    labels = [r["label"] for r in split["train"]] + [topics for _, topics in weak]
    weights = np.array([1.0] * len(split["train"]) + [VNTC_WEIGHT] * len(weak))
    counts = spec.counts(texts)
    idf = fit_idf(counts)
    x = tfidf(counts, idf)
    y = _label_matrix(labels)
    coefs, intercepts = [], []
    for j in range(len(TOPIC_IDS)):
        model = LogisticRegression(C=TOPIC_C, solver="liblinear", class_weight="balanced", random_state=SEED)
        model.fit(x, y[:, j], sample_weight=weights)
        coefs.append(model.coef_.astype(np.float32))
        intercepts.append(model.intercept_)
    coef = np.vstack(coefs)
    intercept = np.concatenate(intercepts)
    n = len(TOPIC_IDS)
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
    dev_p = clf.predict_proba([model_text(r) for r in split["dev"]])
    threshold = _global_threshold(dev_p, _label_matrix([r["label"] for r in split["dev"]]))
    clf.thresholds = dict.fromkeys(TOPIC_IDS, threshold)
    metrics = {
        "dev": evaluate_topics(clf, split["dev"]),
        "test": evaluate_topics(clf, split["test"]),
        "how_measured": (
            "topics.jsonl deterministic split (hash of folded text): fitted on train"
            f" ({len(split['train'])} province examples) + {len(weak)} VNTC train documents (weak labels, weight"
            f" {VNTC_WEIGHT}); one threshold for all topics chosen on dev ({len(split['dev'])}) by micro-F1;"
            f" test ({len(split['test'])}) never tuned on."
        ),
    }
    hyper = {
        "algorithm": "one-vs-rest LogisticRegression(liblinear, class_weight=balanced), sample weights",
        "C": TOPIC_C,
        "threshold": threshold,
        "vntc_mapping": VNTC_TO_TOPIC,
        "vntc_negative_sections": sorted(VNTC_NEGATIVE),
        "vntc_cap_per_section": VNTC_CAP_PER_SECTION,
        "vntc_weight": VNTC_WEIGHT,
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
