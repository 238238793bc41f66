"""Shared training helpers: data loading, de-duplication, fitting, calibration, thresholds, metrics, saving."""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.svm import LinearSVC

from nlp.models import ARTIFACT, MANIFEST, FeatureSpec, TextClassifier, library_versions, sha256_file, tfidf
from nlp.normalize import normalize
from nlp.training.cards import card

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("MEDIAWATCH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
LABELLED_DIR = REPO_ROOT / "nlp" / "labelled" / "train"
HELDOUT_DIR = REPO_ROOT / "nlp" / "labelled" / "heldout"
# Retired held-out sets, written by authors other than the project's and used for training once retired
# (each folder's README says when and why): v1 = second_author, v2 = third_author, v3 flag files =
# fourth_author, the two everyday-posts sets = fifth_author (misinformation only).
OTHER_AUTHOR_DIRS = (
    LABELLED_DIR / "second_author",
    LABELLED_DIR / "third_author",
    LABELLED_DIR / "fourth_author",
    LABELLED_DIR / "fifth_author",
)
MODELS_DIR = REPO_ROOT / "models"
# The date in every model folder name: fixed so that a rebuild reproduces the same folder names.
# Override with MEDIAWATCH_MODEL_DATE=YYYYMMDD when a retrain should produce new folders.
DEFAULT_MODEL_DATE = "20261127"
SEED = 20261126


def model_date() -> str:
    value = os.environ.get("MEDIAWATCH_MODEL_DATE", DEFAULT_MODEL_DATE)
    if not (len(value) == 8 and value.isdigit()):
        raise ValueError(f"MEDIAWATCH_MODEL_DATE must be YYYYMMDD, got {value!r}")
    return value


# -- data -------------------------------------------------------------------------------------------
def read_jsonl(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def model_text(record: dict[str, Any]) -> str:
    """The classifier input: ``normalize(title + "\\n" + text)`` (title optional)."""
    title = record.get("title") or ""
    return normalize(f"{title}\n{record['text']}" if title else record["text"])


def dedup_key(text: str) -> str:
    """Key under which two texts count as the same document (NFC, case- and whitespace-insensitive)."""
    return hashlib.sha1(" ".join(unicodedata.normalize("NFC", text).lower().split()).encode("utf-8")).hexdigest()


def drop_overlap(test: list[dict[str, Any]], *train_sets: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Test records whose text occurs in none of the training sets; also returns how many were dropped."""
    seen = {dedup_key(r["text"]) for records in train_sets for r in records}
    kept = [r for r in test if dedup_key(r["text"]) not in seen]
    return kept, len(test) - len(kept)


def other_author_files(name: str) -> list[Path]:
    """The file ``name`` (e.g. ``"scam.jsonl"``) of every retired held-out set that has one."""
    return [folder / name for folder in OTHER_AUTHOR_DIRS if (folder / name).is_file()]


def other_author_rows(name: str) -> list[dict[str, Any]]:
    """Rows of ``name`` from every retired held-out set, each with ``source`` = its folder's name.

    Row ids repeat between sets, so ``source`` + ``id`` is the key of a row.
    """
    return [{**r, "source": path.parent.name} for path in other_author_files(name) for r in read_jsonl(path)]


def heldout_keys() -> set[str]:
    """Dedup keys of every text in the independent held-out set: training data must never contain them."""
    keys: set[str] = set()
    if HELDOUT_DIR.is_dir():
        for path in sorted(HELDOUT_DIR.glob("*.jsonl")):
            keys.update(dedup_key(r["text"]) for r in read_jsonl(path))
    return keys


def without_heldout(records: list[dict[str, Any]], keys: set[str]) -> list[dict[str, Any]]:
    return [r for r in records if dedup_key(model_text(r)) not in keys and dedup_key(r["text"]) not in keys]


def split_of(record_id: str, *, dev: float = 0.15, test: float = 0.15) -> str:
    """Deterministic train/dev/test assignment from a record id (stable when records are added)."""
    h = int(hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    if h < test:
        return "test"
    if h < test + dev:
        return "dev"
    return "train"


def file_hashes(paths: Iterable[Path]) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in paths:
        try:
            key = str(path.relative_to(REPO_ROOT))
        except ValueError:
            key = f"shared/data/{path.relative_to(SHARED_DATA)}" if path.is_relative_to(SHARED_DATA) else str(path)
        out[key] = sha256_file(path)
    return out


# -- fitting ----------------------------------------------------------------------------------------
def fit_idf(counts: sp.csr_matrix) -> np.ndarray:
    """Smooth idf over the hashed columns: log((1 + n) / (1 + df)) + 1."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


@dataclass
class LinearFit:
    coef: np.ndarray
    intercept: np.ndarray


def fit_binary(x: sp.csr_matrix, y: np.ndarray, *, c: float, algo: str, class_weight: str | None) -> LinearFit:
    if algo == "svm":
        model: LinearSVC | LogisticRegression = LinearSVC(C=c, class_weight=class_weight, random_state=SEED)
    else:
        model = LogisticRegression(C=c, class_weight=class_weight, solver="liblinear", random_state=SEED)
    model.fit(x, y)
    return LinearFit(model.coef_.astype(np.float32), model.intercept_.astype(np.float64))


def fit_ovr(x: sp.csr_matrix, y: np.ndarray, *, c: float, algo: str, class_weight: str | None) -> LinearFit:
    """One binary model per column of the 0/1 matrix ``y`` (columns with a single class get a constant)."""
    coefs, intercepts = [], []
    for j in range(y.shape[1]):
        col = y[:, j]
        if col.min() == col.max():
            coefs.append(np.zeros((1, x.shape[1]), dtype=np.float32))
            intercepts.append(np.array([5.0 if col[0] else -5.0]))
            continue
        fit = fit_binary(x, col, c=c, algo=algo, class_weight=class_weight)
        coefs.append(fit.coef)
        intercepts.append(fit.intercept)
    return LinearFit(np.vstack(coefs), np.concatenate(intercepts))


def raw_scores(fit: LinearFit, x: sp.csr_matrix) -> np.ndarray:
    return np.asarray(x @ fit.coef.T) + fit.intercept


def platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit p = sigmoid(a·s + b) on held-out scores (one label)."""
    if y.min() == y.max():
        return 1.0, 0.0
    lr = LogisticRegression(C=100.0, solver="lbfgs")
    lr.fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """A single softmax scale for multi-class scores, chosen by dev log-likelihood on a grid."""
    best, best_nll = 1.0, np.inf
    for a in np.geomspace(0.25, 64.0, 40):
        z = scores * a
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -float(logp[np.arange(len(y)), y].mean())
        if nll < best_nll:
            best, best_nll = float(a), nll
    return best


def best_f1_threshold(p: np.ndarray, y: np.ndarray, *, min_precision: float | None = None) -> float:
    """Threshold on dev probabilities that maximises F1 (optionally subject to a precision floor)."""
    best_t, best_key = 0.5, (-1.0, -1.0)
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        prec = tp / max(pred.sum(), 1)
        rec = tp / max((y == 1).sum(), 1)
        f1 = 2 * prec * rec / max(prec + rec, 1e-9)
        ok = 1.0 if (min_precision is None or prec >= min_precision) else 0.0
        key = (ok, f1)
        if key > best_key:
            best_t, best_key = float(t), key
    return best_t


def binary_metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    p, r, f, _ = precision_recall_fscore_support(y, pred, average="binary", zero_division=0)
    return {
        "precision": round(float(p), 4),
        "recall": round(float(r), 4),
        "f1": round(float(f), 4),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0)), 4),
        "n": len(y),
        "positives": int(y.sum()),
    }


def multilabel_metrics(y: np.ndarray, pred: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    per = f1_score(y, pred, average=None, zero_division=0)
    return {
        "micro_f1": round(float(f1_score(y, pred, average="micro", zero_division=0)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0)), 4),
        "per_label_f1": {lab: round(float(v), 4) for lab, v in zip(labels, per, strict=True)},
        "n": int(y.shape[0]),
    }


# -- saving -----------------------------------------------------------------------------------------
def save_model(
    clf: TextClassifier,
    *,
    folder_name: str,
    data_files: Sequence[Path],
    hyper: dict[str, Any],
    metrics: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write the artifact, metadata.json (versions, hashes, hyper-parameters, metrics) and MODEL_CARD.md."""
    folder = MODELS_DIR / folder_name
    path = clf.save(folder)
    meta: dict[str, Any] = {
        "task": clf.task,
        "labels": clf.labels,
        "mode": clf.mode,
        "features": clf.spec.to_dict(),
        "thresholds": {k: round(v, 4) for k, v in clf.thresholds.items()},
        "versions": library_versions(),
        "data_sha256": file_hashes(data_files),
        "hyper_parameters": hyper,
        "metrics": metrics,
        "artifact": ARTIFACT,
        "artifact_sha256": sha256_file(path),
        "artifact_bytes": path.stat().st_size,
        "seed": SEED,
        "built_by": "python -m nlp.training.train_all",
    }
    if extra:
        meta.update(extra)
    (folder / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (folder / "MODEL_CARD.md").write_text(card(clf.task, folder_name, meta), encoding="utf-8")
    return folder


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` (flock on its descriptor) held by one writer at a time."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def update_json_file(path: Path, change: Callable[[dict[str, Any]], dict[str, Any]], *, indent: int = 2) -> None:
    """Read ``path`` (``{}`` when missing), apply ``change`` and write the result atomically, under a lock on
    its folder: two training runs at once each keep their own entries (a plain read at start and write at
    the end let the later run drop the other's)."""
    with _folder_lock(path.parent):
        current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        text = json.dumps(change(current), ensure_ascii=False, indent=indent) + "\n"
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(text)
        os.replace(tmp.name, path)


def write_manifest(models: dict[str, str], models_dir: Path | None = None) -> Path:
    """Record ``{task: folder}`` in the shipped-models manifest, keeping the other tasks' entries."""
    path = (models_dir or MODELS_DIR) / MANIFEST

    def change(current: dict[str, Any]) -> dict[str, Any]:
        return {"models": dict(sorted({**current.get("models", {}), **models}.items()))}

    update_json_file(path, change)
    return path


def vectorize(
    spec: FeatureSpec, texts: Sequence[str], idf: np.ndarray | None = None
) -> tuple[sp.csr_matrix, np.ndarray]:
    counts = spec.counts(texts)
    if idf is None:
        idf = fit_idf(counts)
    return tfidf(counts, idf), idf
