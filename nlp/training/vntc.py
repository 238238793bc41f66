"""VNTC 10-topic benchmark model (public benchmark of issue 4, item 7; the pipeline does not use it).

A linear SVM (one-vs-rest) over hashed word uni+bigrams of the lower-cased normalised text (diacritics
kept), sublinear tf, idf and L2 normalisation (``nlp.models.tfidf``), loaded like every shipped model
through ``nlp.models.TextClassifier``. VNTC has no dev split, so every choice (features, C, the softmax
temperature) is made on a deterministic slice of TRAIN held out for validation (``validation_split``:
by a hash of the document id; slice texts that also occur in the rest of train are not scored). The
chosen configuration is refitted on all of train and evaluated once on the official test split minus
every test text that also occurs in train (``vntc_test_deduplicated``).

    result = train_vntc(train_records, test_records)
    save_model(result.clf, folder_name=..., data_files=result.data_files, hyper=result.hyper,
               metrics=result.metrics)
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

from nlp.models import ARTIFACT, FeatureSpec, TextClassifier
from nlp.training.common import SEED, SHARED_DATA, dedup_key, drop_overlap, fit_idf, model_text, temperature, tfidf

VNTC_SPEC = FeatureSpec(n_features=2**20, ngram_max=2, fold=False)
VALIDATION_SHARE = 0.15
C_GRID = (1.0, 2.0)
FLOOR = 0.932
# Choices made in development runs on the same validation slice (15 % of train, accuracy / macro-F1 of
# a fit on the other 85 %); train_vntc re-runs only the C grid. Recorded in metadata as they were measured.
DEVELOPMENT_TRIALS: tuple[dict[str, Any], ...] = ()


@dataclass
class VntcResult:
    clf: TextClassifier
    metrics: dict[str, Any]
    hyper: dict[str, Any]
    data_files: list[Path]


@dataclass
class CompactClassifier(TextClassifier):
    """A ``TextClassifier`` whose weights are stored as float16 (the loader reads them back as float32).

    ``round_weights()`` rounds the in-memory weights to float16 first, so that what is measured before
    saving is exactly what the saved artifact predicts."""

    def round_weights(self) -> None:
        self.coef = np.asfortranarray(self.coef.astype(np.float16).astype(np.float32))

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / ARTIFACT
        np.savez_compressed(
            path,
            idf=self.idf,
            coef=np.ascontiguousarray(self.coef.astype(np.float16)),
            intercept=self.intercept.astype(np.float64),
            calib_a=self.calib_a.astype(np.float64),
            calib_b=self.calib_b.astype(np.float64),
        )
        return path


def _hash_share(record: dict[str, Any]) -> float:
    key = str(record.get("doc_id") or record["text"][:200])
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF


def validation_split(
    train: Sequence[dict[str, Any]], share: float = VALIDATION_SHARE
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks over ``train``: rows to fit on, rows to validate on.

    A row is in the held-out slice when the hash of its document id falls below ``share``; held-out rows
    whose text also occurs among the fitting rows are dropped from validation (neither fitted nor scored)."""
    held = np.array([_hash_share(r) < share for r in train], dtype=bool)
    fit_keys = {dedup_key(r["text"]) for r, h in zip(train, held, strict=True) if not h}
    val = np.array([h and dedup_key(r["text"]) not in fit_keys for r, h in zip(train, held, strict=True)], dtype=bool)
    return ~held, val


def vntc_test_deduplicated(
    vntc_train: Sequence[dict[str, Any]], vntc_test: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """VNTC test without the texts that also occur in train (NFC, case- and whitespace-insensitive)."""
    return drop_overlap(list(vntc_test), vntc_train)


def _svm(x: sp.csr_matrix, y: np.ndarray, c: float) -> LinearSVC:
    return LinearSVC(C=c, random_state=SEED).fit(x, y)


def choose_c(
    x_fit: sp.csr_matrix,
    y_fit: np.ndarray,
    x_val: sp.csr_matrix,
    y_val: np.ndarray,
    grid: Sequence[float] = C_GRID,
) -> tuple[float, float, list[dict[str, Any]]]:
    """The C of ``grid`` with the best validation accuracy (ties: the smaller C), the softmax temperature
    fitted on that model's validation scores, and every trial. Only fit and validation rows are passed in."""
    trials: list[dict[str, Any]] = []
    best: tuple[float, float, np.ndarray] | None = None  # accuracy, C, validation scores
    for c in sorted(grid):
        scores = _svm(x_fit, y_fit, c).decision_function(x_val)
        pred = scores.argmax(axis=1)
        acc = float(accuracy_score(y_val, pred))
        trials.append(
            {"C": c, "accuracy": round(acc, 4), "macro_f1": round(float(f1_score(y_val, pred, average="macro")), 4)}
        )
        if best is None or acc > best[0]:
            best = (acc, c, scores)
    if best is None:
        raise ValueError("empty C grid")
    return best[1], temperature(best[2], y_val), trials


def train_vntc(
    vntc_train: Sequence[dict[str, Any]], vntc_test: Sequence[dict[str, Any]], spec: FeatureSpec = VNTC_SPEC
) -> VntcResult:
    """Choose C and the temperature on the validation slice, refit on all train, test once (de-duplicated)."""
    labels = sorted({r["label"] for r in vntc_train})
    index = {lab: i for i, lab in enumerate(labels)}
    y = np.array([index[r["label"]] for r in vntc_train])
    counts = spec.counts([model_text(r) for r in vntc_train])
    fit_rows, val_rows = validation_split(vntc_train)
    fit_idf_ = fit_idf(counts[fit_rows])
    c, temp, trials = choose_c(
        tfidf(counts[fit_rows], fit_idf_), y[fit_rows], tfidf(counts[val_rows], fit_idf_), y[val_rows]
    )
    idf = fit_idf(counts)
    model = _svm(tfidf(counts, idf), y, c)
    n = len(labels)
    clf = CompactClassifier(
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
    clf.round_weights()
    # One pass over test (normalising 50k documents is the slow part); the de-duplicated figure is a subset.
    test_pred = clf.predict_proba([model_text(r) for r in vntc_test]).argmax(axis=1)
    test_y = np.array([index[r["label"]] for r in vntc_test])
    train_keys = {dedup_key(r["text"]) for r in vntc_train}
    kept = np.array([dedup_key(r["text"]) not in train_keys for r in vntc_test], dtype=bool)
    test_dedup = classification_figures(test_y[kept], test_pred[kept])
    metrics = {
        "test_dedup": test_dedup,
        "test_full": classification_figures(test_y, test_pred),
        "dropped_test_texts_also_in_train": int((~kept).sum()),
        "floor": FLOOR,
        "beats_floor_on_test_dedup": test_dedup["accuracy"] > FLOOR,
        "validation": {
            "rows_fit": int(fit_rows.sum()),
            "rows_validation": int(val_rows.sum()),
            "c_grid": trials,
            "development_trials": list(DEVELOPMENT_TRIALS),
        },
        "published_anchor": "floor 0.932 accuracy (README: TF-IDF + LinearSVC sanity 0.9322 on the full test split)",
        "how_measured": (
            f"VNTC has no dev split: a deterministic {VALIDATION_SHARE:.0%} slice of train (hash of doc_id; slice"
            " texts also in the rest of train not scored) chose the features (development_trials), C (c_grid,"
            " re-run by every build) and the softmax temperature; the chosen configuration was refitted on all"
            " of train (idf too) and evaluated once on test. test_dedup = VNTC test minus texts that also occur"
            " in train (NFC, case- and whitespace-insensitive); test_full = the whole official test split."
            " Weights stored as float16; the figures are those of the stored weights."
        ),
    }
    hyper = {
        "algorithm": "LinearSVC (one-vs-rest, squared hinge, L2), softmax with temperature",
        "C": c,
        "C_grid": list(C_GRID),
        "temperature": temp,
        "weights_dtype": "float16",
        "features": spec.to_dict(),
    }
    files = [SHARED_DATA / "vntc" / "train.jsonl.gz", SHARED_DATA / "vntc" / "test.jsonl.gz"]
    return VntcResult(clf, metrics, hyper, files)


def evaluate_vntc(clf: TextClassifier, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy and macro-F1 of the arg-max label (and n)."""
    pred = clf.predict_proba([model_text(r) for r in records]).argmax(axis=1)
    return classification_figures(np.array([clf.labels.index(r["label"]) for r in records]), pred)


def classification_figures(y: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    return {
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
        "n": len(y),
    }


__all__ = [
    "C_GRID",
    "VNTC_SPEC",
    "CompactClassifier",
    "VntcResult",
    "choose_c",
    "classification_figures",
    "evaluate_vntc",
    "train_vntc",
    "validation_split",
    "vntc_test_deduplicated",
]
