"""Shipped text classifiers: loading with version checks, fast prediction and readable explanations.

Every shipped model is a folder ``models/<task>_<algo>_<data>_<date>/`` holding ``model.npz`` (plain
numpy arrays, no pickle), ``metadata.json`` (library versions, data hashes, hyper-parameters, metrics,
thresholds) and ``MODEL_CARD.md``. ``models/shipped.json`` names the folder used for each task.

The models are linear (logistic regression) over hashed word uni- and bigrams of the *folded* text
(``records.textfold.fold``: lower case, no diacritics, đ → d), so a post written without diacritics
gets the same features as the same post written with them. Inputs are expected to be
``nlp.normalize.normalize(title + "\\n" + text)``; folding happens here.

    models = ShippedModels.load(Path("models"))
    clf = models.get("misinformation")
    p = clf.predict_proba([text])[:, clf.labels.index("misinformation")]
    reasons = clf.explain(text, "misinformation", k=5)
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from records.errors import ModelError
from records.textfold import fold

TASKS: tuple[str, ...] = ("topics", "misinformation", "scam", "hate_speech")
FEATURE_FORMAT = 1
MANIFEST = "shipped.json"
ARTIFACT = "model.npz"
# Libraries whose exact version must match the one a model was built with.
CHECKED_LIBRARIES: tuple[str, ...] = ("scikit-learn", "numpy", "scipy", "underthesea")
TOKEN_PATTERN = r"(?u)\b\w+\b"
TOKEN_RE = re.compile(TOKEN_PATTERN)


def adjacent_tokens(text: str, first: re.Match[str], second: re.Match[str]) -> bool:
    """Whether two tokens are written side by side (only spaces between): a pair across punctuation
    ("xe SH, chuyển khoản") is not a phrase of the text, so it is never shown as a reason."""
    return text[first.end() : second.start()].isspace()


def library_versions() -> dict[str, str]:
    """Versions of Python and of the libraries a model depends on, as installed now."""
    versions = {"python": platform.python_version()}
    for name in CHECKED_LIBRARIES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def version_mismatches(recorded: Mapping[str, str], installed: Mapping[str, str]) -> list[str]:
    """Human-readable mismatches between recorded and installed versions (Python: major.minor only)."""
    problems: list[str] = []
    for name, want in recorded.items():
        have = installed.get(name, "missing")
        if name == "python":
            if want.split(".")[:2] != have.split(".")[:2]:
                problems.append(f"python {have} (model built with {want})")
        elif name in CHECKED_LIBRARIES and want != have:
            problems.append(f"{name} {have} (model built with {want})")
    return problems


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _word_hasher(n_features: int, ngram_max: int) -> HashingVectorizer:
    """Word uni- to ``ngram_max``-grams of prepared text (``TOKEN_PATTERN``) hashed into ``n_features`` columns."""
    return HashingVectorizer(
        n_features=n_features,
        ngram_range=(1, ngram_max),
        token_pattern=TOKEN_PATTERN,
        lowercase=False,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


@dataclass(frozen=True)
class FeatureSpec:
    """How text becomes a feature vector: hashed n-grams, sublinear tf-idf, L2.

    Word uni- to ``ngram_max``-grams are hashed into ``n_features`` columns. ``fold=True`` hashes the
    folded text (no diacritics: the same features with or without them); ``fold=False`` the lower-cased
    text as written. With ``char_features > 0``, character n-grams (``char_range``, within word
    boundaries) of the first ``char_prefix`` characters of the prepared text are hashed into
    ``char_features`` further columns: robust to teencode and misspellings, bounded in cost per document.
    With ``segmented_features > 0``, the words of underthesea's segmentation of the text (``nlp.segment``:
    a multi-syllable word is one token, "bóng_đá"), prepared like the text, are hashed as unigrams into
    ``segmented_features`` last columns. Segmentation costs about as much as the rest of enrichment, so
    only the VNTC benchmark model uses it; the pipeline's models do not.
    """

    n_features: int = 2**18
    ngram_max: int = 2
    fold: bool = True
    char_features: int = 0
    char_range: tuple[int, int] = (2, 5)
    char_prefix: int = 1500
    segmented_features: int = 0

    @property
    def dim(self) -> int:
        return self.n_features + self.char_features + self.segmented_features

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FEATURE_FORMAT,
            "n_features": self.n_features,
            "ngram_max": self.ngram_max,
            "fold": self.fold,
            "char_features": self.char_features,
            "char_range": list(self.char_range),
            "char_prefix": self.char_prefix,
            "segmented_features": self.segmented_features,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        if data.get("format") != FEATURE_FORMAT:
            raise ModelError(f"unknown feature format {data.get('format')!r} (this code reads {FEATURE_FORMAT})")
        lo, hi = data.get("char_range", (2, 5))
        return cls(
            n_features=int(data["n_features"]),
            ngram_max=int(data["ngram_max"]),
            fold=bool(data["fold"]),
            char_features=int(data.get("char_features", 0)),
            char_range=(int(lo), int(hi)),
            char_prefix=int(data.get("char_prefix", 1500)),
            segmented_features=int(data.get("segmented_features", 0)),
        )

    def prepare(self, text: str) -> str:
        return fold(text) if self.fold else text.lower()

    def hasher(self) -> HashingVectorizer:
        return _word_hasher(self.n_features, self.ngram_max)

    def segmented_hasher(self) -> HashingVectorizer:
        return _word_hasher(self.segmented_features, 1)

    def char_hasher(self) -> HashingVectorizer:
        return HashingVectorizer(
            n_features=self.char_features,
            analyzer="char_wb",
            ngram_range=self.char_range,
            lowercase=False,
            alternate_sign=False,
            norm=None,
            dtype=np.float32,
        )

    def counts(
        self,
        texts: Sequence[str],
        cache: dict[tuple[Any, ...], Any] | None = None,
        *,
        words: Callable[[list[str]], sp.csr_matrix] | None = None,
        chars: Callable[[list[str]], sp.csr_matrix] | None = None,
        segment: Callable[[Sequence[str]], list[str]] | None = None,
    ) -> sp.csr_matrix:
        """Raw hashed n-gram counts. ``cache`` (one dict per batch of texts) shares the folded text and the
        word and character blocks between specs that have them in common (``ShippedModels.predict_all``).
        ``words`` / ``chars``: faster transforms giving the same blocks as this spec's hashers (default).
        ``segment``: underthesea segmentation of many texts (default ``nlp.segment.segment_texts``, one
        process; training passes a parallel one)."""
        cache = {} if cache is None else cache
        prep_key = ("prepared", self.fold)
        if prep_key not in cache:
            cache[prep_key] = [self.prepare(t) for t in texts]
        prepared = cache[prep_key]
        word_key = ("words", self.fold, self.n_features, self.ngram_max)
        if word_key not in cache:
            cache[word_key] = words(prepared) if words is not None else self.hasher().transform(prepared).tocsr()
        blocks = [cache[word_key]]
        if self.char_features:
            char_key = ("chars", self.fold, self.char_features, self.char_range, self.char_prefix)
            if char_key not in cache:
                cut = [p[: self.char_prefix] for p in prepared]
                cache[char_key] = chars(cut) if chars is not None else self.char_hasher().transform(cut)
            blocks.append(cache[char_key])
        if self.segmented_features:
            if segment is None:
                from nlp.segment import segment_texts

                segment = segment_texts
            segmented = [self.prepare(t) for t in segment(list(texts))]
            blocks.append(self.segmented_hasher().transform(segmented).tocsr())
        if len(blocks) == 1:
            return blocks[0]
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def bucket(self, ngram: str) -> int:
        """The column of one prepared word n-gram (same hash as ``HashingVectorizer``)."""
        return abs(murmurhash3_32(ngram, seed=0)) % self.n_features

    def char_columns(self, word: str) -> list[int]:
        """Columns of the character n-grams of one prepared word (as ``char_wb`` pads and cuts it)."""
        if not self.char_features:
            return []
        padded = f" {word} "
        grams = {
            padded[i : i + n]
            for n in range(self.char_range[0], self.char_range[1] + 1)
            for i in range(max(len(padded) - n + 1, 1))
        }
        # Sorted: the explanation sums these columns' contributions, and a set's order varies between
        # processes (string hashing), which could change the last bits of a sum and so a near-tied reason.
        return [self.n_features + abs(murmurhash3_32(g, seed=0)) % self.char_features for g in sorted(grams)]


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf (1 + log tf) times idf, rows scaled to unit L2 norm."""
    x = counts.copy()
    x.data = (1.0 + np.log(x.data)).astype(np.float32) * idf[x.indices]
    sq = np.asarray(x.multiply(x).sum(axis=1)).ravel()
    norms = np.sqrt(sq, dtype=np.float64)
    norms[norms == 0.0] = 1.0
    x.data = (x.data / np.repeat(norms, np.diff(x.indptr))).astype(np.float32)
    return x


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


def choose_reasons(candidates: dict[str, tuple[float, str]], k: int) -> list[str]:
    """The ``k`` strongest positive candidates (key → (score, text as written)), skipping numbers,
    one-letter keys and any candidate sharing a word with one already chosen (varied reasons)."""
    ranked = sorted(
        (
            (score, shown)
            for key, (score, shown) in candidates.items()
            if score > 0 and len(key) >= 2 and not key.replace(" ", "").isdigit()
        ),
        key=itemgetter(0),
        reverse=True,  # stable: equal scores keep their order
    )
    chosen: list[str] = []
    chosen_words: set[str] = set()
    for _, shown in ranked:
        words = shown.split()
        if not chosen_words.isdisjoint(words):
            continue
        chosen.append(shown)
        chosen_words.update(words)
        if len(chosen) == k:
            break
    return chosen


@dataclass
class TextClassifier:
    """A linear classifier over hashed n-grams with calibrated probabilities.

    ``mode`` is ``"multilabel"`` (independent per-label sigmoids, e.g. topics), ``"binary"`` (labels
    ``[negative, positive]``, one score) or ``"multiclass"`` (softmax over labels).
    ``thresholds`` maps a label to the decision threshold chosen on the development split.
    """

    task: str
    labels: list[str]
    mode: str
    spec: FeatureSpec
    idf: np.ndarray
    coef: np.ndarray  # (n_scores, n_features), Fortran order: fast for one document at a time
    intercept: np.ndarray
    calib_a: np.ndarray
    calib_b: np.ndarray
    thresholds: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.coef = np.asfortranarray(self.coef, dtype=np.float32)
        self.idf = np.ascontiguousarray(self.idf, dtype=np.float32)
        expected = 1 if self.mode == "binary" else len(self.labels)
        if self.mode not in ("binary", "multilabel", "multiclass"):
            raise ModelError(f"{self.task}: unknown mode {self.mode!r}")
        if self.coef.shape != (expected, self.spec.dim) or self.idf.shape != (self.spec.dim,):
            raise ModelError(f"{self.task}: weight shapes do not match the labels and feature spec")

    # -- prediction -------------------------------------------------------------------------------
    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        return tfidf(self.spec.counts(texts), self.idf)

    def scores_from_counts(self, counts: sp.csr_matrix) -> np.ndarray:
        """Raw linear scores (n × n_scores) from shared hashed counts."""
        return self.scores_from_features(tfidf(counts, self.idf))

    def scores_from_features(self, x: sp.csr_matrix) -> np.ndarray:
        """Raw linear scores from this model's features (``tfidf(counts, self.idf)``)."""
        return np.asarray(x @ self.coef.T) + self.intercept

    def proba_from_counts(self, counts: sp.csr_matrix) -> np.ndarray:
        return self.proba_from_features(tfidf(counts, self.idf))

    def proba_from_features(self, x: sp.csr_matrix) -> np.ndarray:
        """Probabilities from this model's features (``tfidf(counts, self.idf)``), kept by callers that explain."""
        raw = self.scores_from_features(x)
        z = raw * self.calib_a + self.calib_b
        if self.mode == "binary":
            p = _sigmoid(z[:, 0])
            return np.column_stack([1.0 - p, p])
        if self.mode == "multilabel":
            return _sigmoid(z)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, n × len(labels) (multi-label: independent per label; else rows sum to 1)."""
        if isinstance(texts, str):
            raise TypeError("predict_proba takes a sequence of texts, not one string")
        if len(texts) == 0:
            return np.zeros((0, len(self.labels)))
        return self.proba_from_counts(self.spec.counts(texts))

    def threshold(self, label: str) -> float:
        return float(self.thresholds.get(label, 0.5))

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        """Labels whose probability reaches their threshold (binary: only the positive label counts)."""
        proba = self.predict_proba(texts)
        positive = self.labels[1:] if self.mode == "binary" else self.labels
        out: list[list[str]] = []
        for row in proba:
            if self.mode == "multiclass":
                out.append([self.labels[int(np.argmax(row))]])
            else:
                out.append([lab for lab in positive if row[self.labels.index(lab)] >= self.threshold(lab)])
        return out

    # -- explanation ------------------------------------------------------------------------------
    def _score_row(self, label: str) -> tuple[int, float]:
        if label not in self.labels:
            raise KeyError(f"{self.task} has no label {label!r}; labels: {self.labels}")
        if self.mode == "binary":
            return 0, (1.0 if label == self.labels[1] else -1.0)
        return self.labels.index(label), 1.0

    def explain(self, text: str, label: str, k: int = 5) -> list[str]:
        """The ``k`` words or word pairs of ``text`` that push hardest towards ``label``, as written.

        A word's score is its own weight times its tf-idf value plus that of the character n-grams inside
        it; a pair adds its bigram weight to the scores of its two words, so readable two-syllable words
        ("chia sẻ", "khẩn cấp") come first. Single letters and bare numbers are never returned.
        """
        row, sign = self._score_row(label)
        lowered = text.lower()
        matches = list(TOKEN_RE.finditer(lowered))
        surface = [m.group() for m in matches]
        if not surface:
            return []
        prepared = [self.spec.prepare(tok) for tok in surface]
        x = self.features([text])
        values = dict(zip(x.indices.tolist(), x.data.tolist(), strict=True))
        weights = self.coef[row]

        def contribution(col: int) -> float:
            return sign * float(weights[col]) * values.get(col, 0.0)

        word_score: dict[str, float] = {}
        for tok in prepared:
            if tok not in word_score:
                word_score[tok] = contribution(self.spec.bucket(tok)) + sum(
                    contribution(col) for col in self.spec.char_columns(tok)
                )
        candidates: dict[str, tuple[float, str]] = {}
        for i, tok in enumerate(prepared):
            candidates.setdefault(tok, (word_score[tok], surface[i]))
            pair = i + 1 < len(prepared) and adjacent_tokens(lowered, matches[i], matches[i + 1])
            if self.spec.ngram_max >= 2 and pair:
                key = f"{tok} {prepared[i + 1]}"
                score = contribution(self.spec.bucket(key)) + word_score[tok] + word_score[prepared[i + 1]]
                candidates.setdefault(key, (score, f"{surface[i]} {surface[i + 1]}"))
        return choose_reasons(candidates, k)

    # -- persistence --------------------------------------------------------------------------------
    def _stored_coef(self) -> np.ndarray:
        """The weights as written to the artifact (subclasses may store a compact dtype)."""
        return np.ascontiguousarray(self.coef)

    def save(self, folder: Path) -> Path:
        """Write ``model.npz`` (compressed numpy arrays) into ``folder``; returns its path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / ARTIFACT
        np.savez_compressed(
            path,
            idf=self.idf,
            coef=self._stored_coef(),
            intercept=self.intercept.astype(np.float64),
            calib_a=self.calib_a.astype(np.float64),
            calib_b=self.calib_b.astype(np.float64),
        )
        return path

    @classmethod
    def from_folder(cls, folder: Path, *, check_versions: bool = True) -> TextClassifier:
        """Load one model folder; raise ``ModelError`` if it is missing, corrupt or built with other versions."""
        meta_path = folder / "metadata.json"
        art_path = folder / ARTIFACT
        if not meta_path.is_file() or not art_path.is_file():
            raise ModelError(f"model folder {folder} lacks metadata.json or {ARTIFACT}")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelError(f"{meta_path}: unreadable metadata ({exc})") from exc
        if check_versions:
            problems = version_mismatches(meta.get("versions", {}), library_versions())
            if problems:
                raise ModelError(f"{folder.name}: built with other library versions: " + "; ".join(problems))
        want_hash = meta.get("artifact_sha256")
        if want_hash and sha256_file(art_path) != want_hash:
            raise ModelError(f"{art_path}: checksum differs from metadata.json (corrupt or replaced)")
        try:
            with np.load(art_path, allow_pickle=False) as arrays:
                parts = {name: arrays[name] for name in ("idf", "coef", "intercept", "calib_a", "calib_b")}
            return cls(
                task=str(meta["task"]),
                labels=[str(x) for x in meta["labels"]],
                mode=str(meta["mode"]),
                spec=FeatureSpec.from_dict(meta["features"]),
                thresholds={str(k): float(v) for k, v in meta.get("thresholds", {}).items()},
                metadata=meta,
                **parts,
            )
        except (KeyError, ValueError, OSError) as exc:
            raise ModelError(f"{folder.name}: cannot read model ({exc})") from exc


class ShippedModels:
    """The models named in ``models/shipped.json``, loaded once at start-up."""

    def __init__(self, models: Mapping[str, TextClassifier], models_dir: Path) -> None:
        self._models = dict(models)
        self.models_dir = models_dir

    @classmethod
    def load(
        cls, models_dir: Path, *, tasks: Sequence[str] = TASKS, check_versions: bool = True
    ) -> ShippedModels:
        """Load the shipped model of every task in ``tasks``; ``ModelError`` if one is missing or mismatched."""
        manifest_path = Path(models_dir) / MANIFEST
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ModelError(f"no {MANIFEST} in {models_dir}: run `make train`") from exc
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelError(f"{manifest_path}: unreadable ({exc})") from exc
        folders: dict[str, str] = manifest.get("models", {})
        loaded: dict[str, TextClassifier] = {}
        for task in tasks:
            if task not in folders:
                raise ModelError(f"{manifest_path} names no model for task {task!r}")
            clf = TextClassifier.from_folder(Path(models_dir) / folders[task], check_versions=check_versions)
            if clf.task != task:
                raise ModelError(f"{folders[task]} holds a {clf.task!r} model, not {task!r}")
            loaded[task] = clf
        return cls(loaded, Path(models_dir))

    @property
    def tasks(self) -> list[str]:
        return list(self._models)

    def get(self, task: str) -> TextClassifier:
        try:
            return self._models[task]
        except KeyError:
            raise ModelError(f"no shipped model for task {task!r} (loaded: {sorted(self._models)})") from None

    def predict_all(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """``predict_proba`` of every loaded model; folding and hashing shared between models where possible."""
        cache: dict[tuple[Any, ...], Any] = {}
        by_spec: dict[FeatureSpec, sp.csr_matrix] = {}
        out: dict[str, np.ndarray] = {}
        for task, clf in self._models.items():
            if clf.spec not in by_spec:
                by_spec[clf.spec] = clf.spec.counts(texts, cache)
            out[task] = clf.proba_from_counts(by_spec[clf.spec])
        return out
