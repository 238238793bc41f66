"""Binary flag classifiers trained on the project's own labelled sets (misinformation, scam).

Training data: the task's ``train`` and ``dev`` splits, plus those splits of the other labelled sets
as extra negatives (a scam is not misinformation and vice versa; topic examples are ordinary posts).
Model selection (C), calibration (Platt) and the threshold use 5-fold out-of-fold scores on that data;
the figures reported as held-out come from the ``test`` split, which nothing is fitted or tuned on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import StratifiedKFold

from nlp.models import FeatureSpec, TextClassifier
from nlp.training.common import (
    LABELLED_DIR,
    SEED,
    binary_metrics,
    fit_binary,
    fit_idf,
    heldout_keys,
    model_text,
    platt,
    raw_scores,
    read_jsonl,
    tfidf,
    without_heldout,
)

# Negative kinds whose false-flag rate is the "criticism and news flagged as misinformation" figure.
LEGITIMATE_KINDS = frozenset({"criticism", "complaint", "opinion", "ordinary_news", "news_about_rumour"})
C_GRID = (1.0, 4.0, 16.0)


@dataclass
class FlagResult:
    clf: TextClassifier
    metrics: dict[str, Any]
    hyper: dict[str, Any]
    data_files: list[Path]


def _is_positive(record: dict[str, Any], task: str) -> bool:
    return record.get("label") == task


def flagged_rate_by_kind(records: Sequence[dict[str, Any]], flagged: np.ndarray) -> dict[str, dict[str, float]]:
    total: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for rec, hit in zip(records, flagged, strict=True):
        total[rec["kind"]] += 1
        hits[rec["kind"]] += int(hit)
    return {k: {"n": total[k], "flagged": hits[k], "rate": round(hits[k] / total[k], 4)} for k in sorted(total)}


def evaluate_flag(
    clf: TextClassifier, task: str, records: Sequence[dict[str, Any]], *, texts: Sequence[str] | None = None
) -> dict[str, Any]:
    """Precision/recall/F1 at the shipped threshold, plus flagged rates per kind of example."""
    texts = list(texts) if texts is not None else [model_text(r) for r in records]
    proba = clf.predict_proba(texts)[:, clf.labels.index(task)]
    flagged = proba >= clf.threshold(task)
    y = np.array([_is_positive(r, task) for r in records], dtype=int)
    out: dict[str, Any] = binary_metrics(y, flagged.astype(int))
    by_kind = flagged_rate_by_kind(records, flagged)
    legit = [k for k in by_kind if k in LEGITIMATE_KINDS]
    n_legit = sum(by_kind[k]["n"] for k in legit)
    if n_legit:
        out["legitimate_flagged_rate"] = round(sum(by_kind[k]["flagged"] for k in legit) / n_legit, 4)
        out["legitimate_n"] = n_legit
    out["by_kind"] = by_kind
    return out


def constrained_threshold(
    p: np.ndarray, y: np.ndarray, legit: np.ndarray, *, min_precision: float, max_legit_rate: float
) -> float:
    """Threshold maximising F1 among those meeting both constraints (else the most precise one found)."""
    best_t, best_key = 0.5, (-1, -1.0, -1.0)
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        prec = tp / max(float(pred.sum()), 1.0)
        rec = tp / max(float((y == 1).sum()), 1.0)
        f1 = 2 * prec * rec / max(prec + rec, 1e-9)
        legit_rate = float(pred[legit].mean()) if legit.any() else 0.0
        ok = int(prec >= min_precision and legit_rate <= max_legit_rate)
        key = (ok, f1 if ok else prec, f1)
        if key > best_key:
            best_t, best_key = float(t), key
    return best_t


CV_REPEATS = 3


def oof_scores(x: sp.csr_matrix, y: np.ndarray, *, c: float, folds: int = 5, seed: int = SEED) -> np.ndarray:
    """Out-of-fold decision scores (deterministic stratified folds)."""
    out = np.zeros(len(y))
    for fit_idx, held_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        fit = fit_binary(x[fit_idx], y[fit_idx], c=c, algo="lr", class_weight="balanced")
        out[held_idx] = raw_scores(fit, x[held_idx])[:, 0]
    return out


def train_flag(
    task: str,
    *,
    own_file: Path,
    extra_negative_files: Sequence[Path],
    spec: FeatureSpec,
    min_precision: float = 0.85,
    max_legit_rate: float = 0.05,
) -> FlagResult:
    """Tune C, Platt calibration and threshold on 5-fold out-of-fold scores of train+dev; fit on train+dev."""
    heldout = heldout_keys()
    own = read_jsonl(own_file)
    tune = without_heldout([r for r in own if r["split"] in ("train", "dev")], heldout)
    test = [r for r in own if r["split"] == "test"]
    extra = without_heldout(
        [r for path in extra_negative_files for r in read_jsonl(path) if r["split"] in ("train", "dev")], heldout
    )
    fit_records = tune + extra
    fit_texts = [model_text(r) for r in fit_records]
    y = np.array([_is_positive(r, task) for r in fit_records], dtype=int)
    counts = spec.counts(fit_texts)
    idf = fit_idf(counts)
    x = tfidf(counts, idf)
    own_mask = np.arange(len(fit_records)) < len(tune)
    legit_mask = np.array([r.get("kind") in LEGITIMATE_KINDS for r in tune], dtype=bool)

    best: tuple[float, float, float, float, float] | None = None  # f1, c, a, b, threshold
    # Repeated cross-validation (CV_REPEATS seeds): selection on one split of a few hundred examples is noisy.
    own_y = np.tile(y[own_mask], CV_REPEATS)
    own_legit = np.tile(legit_mask, CV_REPEATS)
    for c in C_GRID:
        s = np.concatenate([oof_scores(x, y, c=c, seed=SEED + r) for r in range(CV_REPEATS)])
        a, b = platt(s, np.tile(y, CV_REPEATS))
        p = 1.0 / (1.0 + np.exp(-(a * s + b)))
        p_own = p[np.tile(own_mask, CV_REPEATS)]
        t = constrained_threshold(p_own, own_y, own_legit, min_precision=min_precision, max_legit_rate=max_legit_rate)
        f1 = binary_metrics(own_y, (p_own >= t).astype(int))["f1"]
        if best is None or f1 > best[0]:
            best = (f1, c, a, b, t)
    assert best is not None
    cv_f1, c_best, a, b, threshold = best
    fit = fit_binary(x, y, c=c_best, algo="lr", class_weight="balanced")
    clf = TextClassifier(
        task=task,
        labels=[f"not_{task}", task],
        mode="binary",
        spec=spec,
        idf=idf,
        coef=fit.coef,
        intercept=fit.intercept,
        calib_a=np.array([a]),
        calib_b=np.array([b]),
        thresholds={task: threshold},
    )
    metrics = {
        "cross_validated_f1_train_dev": cv_f1,
        "test": evaluate_flag(clf, task, test),
        "how_measured": (
            f"{own_file.name}: deterministic split by hash of the folded text. Tuning on {CV_REPEATS}x repeated"
            " 5-fold out-of-fold"
            f" scores of train+dev ({len(tune)} examples, plus {len(extra)} negatives from the other labelled"
            " sets' train+dev splits): C, Platt calibration, and the threshold that maximises F1 subject to"
            f" precision >= {min_precision} and at most {max_legit_rate:.0%} of criticism/complaints/opinion/news"
            f" flagged. Final fit on all of that. 'test' = the {len(test)} examples of the"
            " test split, never used for fitting or tuning."
        ),
    }
    hyper = {
        "algorithm": "LogisticRegression(liblinear, class_weight=balanced)",
        "C": c_best,
        "C_grid": list(C_GRID),
        "threshold": threshold,
        "threshold_rule": (
            f"max out-of-fold F1 with precision >= {min_precision} and legitimate-content flag rate <= {max_legit_rate}"
        ),
        "features": spec.to_dict(),
        "fit_size": len(fit_records),
    }
    return FlagResult(clf, metrics, hyper, [own_file, *extra_negative_files])


def labelled_file(name: str) -> Path:
    return LABELLED_DIR / f"{name}.jsonl"
