"""Text signatures and similarity for clustering items that tell one story.

Every text is folded first (``records.textfold.fold``: lower case, no tones or vowel marks, đ → d),
so a post written without diacritics compares equal to the same words with them. A signature holds:

- ``terms``: counts of folded syllables and syllable pairs (Vietnamese words are mostly one or two
  syllables), function words removed; compared by cosine with inverse document frequencies taken
  from the recent items the clustering index holds (words every recent story uses weigh little).
  This is what catches paraphrases.
- ``minhash``: a MinHash of word 3-shingles; its agreement estimates the Jaccard resemblance of the
  two texts, which is what catches syndicated copies and lightly edited reposts.

Signatures are plain data (``to_doc``/``from_doc``) so the index can be persisted and reloaded.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from nlp.normalize import normalize
from records.schema import Item
from records.textfold import fold_words

MAX_WORDS = 300  # the lede tells the story; syndicated copies share it
TITLE_WEIGHT = 2  # title terms count twice
BIGRAM_WEIGHT = 0.5  # a syllable pair counts half a syllable: paraphrases share syllables more than pairs
NUM_PERM = 64
_PRIME = (1 << 31) - 1  # Mersenne prime; hashes and multipliers stay below it
_RNG = np.random.default_rng(20230830)  # fixed: persisted MinHashes must stay comparable
_PERM_A = _RNG.integers(1, _PRIME, size=NUM_PERM, dtype=np.uint64)
_PERM_B = _RNG.integers(0, _PRIME, size=NUM_PERM, dtype=np.uint64)

# Folded Vietnamese function words. Words that fold onto a content word (năm/Nam, đà/Đà) are kept out.
STOPWORDS: frozenset[str] = frozenset(
    (
        "va", "la", "cua", "cac", "nhung", "mot", "nay", "do", "duoc", "bi", "cho", "voi", "tai", "trong", "tren",
        "theo", "khi", "thi", "ma", "nhu", "de", "co", "khong", "den", "tu", "ve", "ra", "vao", "lai", "cung",
        "con", "roi", "nua", "nhat", "hon", "rat", "o", "nhieu", "it", "moi", "tung", "da", "dang", "se", "van",
        "chi", "sau", "truoc", "neu", "vi", "nen", "tuy", "nhien", "hay", "hoac", "the", "nao", "gi", "ai", "dau",
        "day", "kia", "ay", "ha", "a", "oi", "nhe", "nhi", "chu", "luc", "nguoi", "ong", "ba", "anh", "em", "ho",
        "minh", "chung", "toi", "ta", "thay", "ngay", "gio", "phut", "hom", "qua", "tin", "bai", "viet", "biet",
        "noi", "rang", "them", "nhan",
    )
)


@dataclass(frozen=True)
class Signature:
    """What the index keeps of one item to compare it with later ones."""

    item_id: str
    terms: dict[str, int]
    minhash: tuple[int, ...]
    n_words: int

    def to_doc(self) -> dict:
        return {"item_id": self.item_id, "terms": self.terms, "minhash": list(self.minhash), "n_words": self.n_words}

    @classmethod
    def from_doc(cls, doc: Mapping) -> Signature:
        return cls(
            item_id=str(doc["item_id"]),
            terms={str(k): int(v) for k, v in doc["terms"].items()},
            minhash=tuple(int(v) for v in doc["minhash"]),
            n_words=int(doc["n_words"]),
        )


def item_words(item: Item) -> tuple[list[str], list[str]]:
    """Folded words of the title and of the text (the text cut to ``MAX_WORDS``), after expanding
    abbreviations and teencode (``nlp.normalize``: "r" → "rồi", "mn" → "mọi người", "tp" → "thành phố")."""
    return (
        fold_words(normalize(item.title[:400]))[:60],
        fold_words(normalize(item.text[: MAX_WORDS * 8]))[:MAX_WORDS],
    )


def _terms(words: list[str]) -> Counter[str]:
    counts: Counter[str] = Counter(w for w in words if w not in STOPWORDS)
    for a, b in itertools.pairwise(words):
        if a in STOPWORDS and b in STOPWORDS:
            continue
        counts[f"{a}_{b}"] += 1
    return counts


def _stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little") % _PRIME


def minhash(words: list[str], k: int = 3) -> tuple[int, ...]:
    """MinHash of the word k-shingles (an empty text gets the all-maximum signature)."""
    if len(words) < k:
        shingles = {" ".join(words)} if words else set()
    else:
        shingles = {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}
    if not shingles:
        return tuple([_PRIME] * NUM_PERM)
    hashes = np.fromiter((_stable_hash(s) for s in shingles), dtype=np.uint64, count=len(shingles))
    # (a*x + b) mod p with a, x < 2^31: every product fits in 64 bits.
    values = (_PERM_A[:, None] * hashes[None, :] + _PERM_B[:, None]) % np.uint64(_PRIME)
    return tuple(int(v) for v in values.min(axis=1))


def signature(item: Item) -> Signature:
    title_words, text_words = item_words(item)
    terms = _terms(title_words)
    for key in list(terms):
        terms[key] *= TITLE_WEIGHT
    terms.update(_terms(text_words))
    words = title_words + text_words
    return Signature(item_id=item.id, terms=dict(terms), minhash=minhash(words), n_words=len(words))


def resemblance(a: Signature, b: Signature) -> float:
    """Estimated Jaccard resemblance of the two texts' word 3-shingles."""
    same = sum(1 for x, y in zip(a.minhash, b.minhash, strict=True) if x == y and x != _PRIME)
    return same / NUM_PERM


class DocumentFrequencies:
    """Document frequencies of terms over the signatures the index holds; smoothed IDF.

    ``prior`` pseudo-documents containing no term keep weights flat while the index is nearly empty.
    """

    def __init__(self, prior: int = 20) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0
        self.prior = prior

    def add(self, terms: Iterable[str]) -> None:
        self.df.update(set(terms))
        self.n += 1

    def remove(self, terms: Iterable[str]) -> None:
        self.df.subtract(set(terms))
        self.n -= 1
        for term in [t for t in set(terms) if self.df[t] <= 0]:
            del self.df[term]

    def idf(self, term: str) -> float:
        return math.log(self.n + self.prior + 1) - _log1(self.df.get(term, 0))


_LOG1 = [math.log(k + 1) for k in range(4096)]


def _log1(k: int) -> float:
    return _LOG1[k] if k < len(_LOG1) else math.log(k + 1)


_LOG_TF = [0.0, *(1.0 + math.log(c) for c in range(1, 256))]


def weighted(terms: Mapping[str, int], dfs: DocumentFrequencies) -> dict[str, float]:
    """Sublinear term frequency × IDF."""
    log_n = math.log(dfs.n + dfs.prior + 1)
    df = dfs.df
    return {
        t: (_LOG_TF[c] if c < 256 else 1.0 + math.log(c))
        * (log_n - _log1(df.get(t, 0)))
        * (BIGRAM_WEIGHT if "_" in t else 1.0)
        for t, c in terms.items()
        if c > 0
    }


@dataclass(frozen=True)
class Vector:
    """A weighted term vector with its norm, computed once and compared many times."""

    weights: dict[str, float]
    norm: float


def vectorize(sig: Signature, dfs: DocumentFrequencies) -> Vector:
    weights = weighted(sig.terms, dfs)
    return Vector(weights, math.sqrt(sum(w * w for w in weights.values())))


def cosine_vectors(a: Vector, b: Vector) -> float:
    if not a.norm or not b.norm:
        return 0.0
    small, large = (a.weights, b.weights) if len(a.weights) <= len(b.weights) else (b.weights, a.weights)
    get = large.get
    dot = sum(w * get(t, 0.0) for t, w in small.items())
    return dot / (a.norm * b.norm) if dot > 0 else 0.0


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    if dot <= 0.0:
        return 0.0
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def key_terms(weights: Mapping[str, float], k: int = 12) -> list[str]:
    """The ``k`` heaviest terms: what the index looks candidates up by."""
    return [t for t, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def similarity(a: Signature, b: Signature, dfs: DocumentFrequencies) -> float:
    """How likely two items tell one story: the larger of weighted cosine and shingle resemblance."""
    return max(cosine(weighted(a.terms, dfs), weighted(b.terms, dfs)), resemblance(a, b))
