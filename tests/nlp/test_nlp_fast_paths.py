"""Fast paths of enrichment give exactly the output of the definitions they replace."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import HashingVectorizer

from nlp import claims as claims_module
from nlp import normalize as normalize_module
from nlp.claims import ClaimIndex, KnownClaim
from nlp.enrich import join_title
from nlp.explain_batch import BatchExplainer, BatchScores
from nlp.fast_counts import CharNgramCounter, WordNgramCounter
from nlp.matching import FoldedText, fast_fold
from nlp.models import ShippedModels
from nlp.places import load_gazetteer
from records.textfold import _fold_reference, fold
from sample_site.content import load_items

VIETNAMESE = "Lũ lụt ở Đại Lộc, đường ĐT609 sạt lở; HOÀ VANG ỦY BAN Quảng Nam ΟΔΟΣ Σ İstanbul ﬁ ß"


def test_fold_matches_reference_on_sample_content() -> None:
    texts = [r["text"] for r in load_items()] + [str(r.get("title") or "") for r in load_items()]
    texts += [VIETNAMESE, unicodedata.normalize("NFD", VIETNAMESE)]
    assert [fold(t) for t in texts] == [_fold_reference(t) for t in texts]
    assert fold("Lũ lụt ở Đại Lộc") == "lu lut o dai loc"


def test_fold_final_sigma_uses_context() -> None:
    assert fold("ΟΔΟΣ") == _fold_reference("ΟΔΟΣ") != "".join(_fold_reference(c) for c in "ΟΔΟΣ")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_fold_matches_reference_on_any_text(text: str) -> None:
    assert fold(text) == _fold_reference(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(VIETNAMESE + "\u0300\u0301\u0303\u0309\u0323\u0306\u0302")), max_size=30))
def test_fold_matches_reference_on_decomposed_vietnamese(text: str) -> None:
    assert fold(text) == _fold_reference(text)
    assert fold(unicodedata.normalize("NFD", text)) == _fold_reference(unicodedata.normalize("NFD", text))


REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped() -> ShippedModels:
    return ShippedModels.load(REPO / "models")


def test_batch_scores_and_explanations_equal_the_models_own(shipped: ShippedModels) -> None:
    records = load_items()
    texts = [join_title(str(r.get("title") or ""), r["text"]) for r in records[:120]]
    texts += ["", "Chia sẻ gấp!!! Chuyển khoản ngay vào tài khoản 0123456789", "the quick brown fox"]
    batch = BatchScores(shipped, texts, BatchExplainer())
    expected = shipped.predict_all(texts)
    assert set(batch.proba) == set(expected)
    for task, proba in expected.items():
        np.testing.assert_array_equal(batch.proba[task], proba)
    compared = 0
    for task in shipped.tasks:
        clf = shipped.get(task)
        for label in clf.labels:  # both labels of binary models: the sign of the weights differs
            for index in range(0, len(texts), 7 if task == "topics" else 2):
                assert batch.explain(clf, label, index, k=5) == clf.explain(texts[index], label, k=5)
                compared += 1
    assert compared > 400


def test_places_and_claims_with_the_callers_folded_text_equal_their_own_folding() -> None:
    texts = [join_title(str(r.get("title") or ""), r["text"]) for r in load_items()[:150]]
    gazetteer = load_gazetteer()
    for text in texts:
        assert gazetteer.find(text, title_chars=20, folded=FoldedText.of(text)) == gazetteer.find(text, title_chars=20)
    hoaxes = [r["text"][:300] for r in load_items() if r.get("is_hoax")][:5]
    index = ClaimIndex([KnownClaim(claim_id=f"c{i}", claim=c) for i, c in enumerate(hoaxes)])
    mine = index.match(texts, min_similarity=0.3, folded=[fast_fold(t) for t in texts])
    assert mine == index.match(texts, min_similarity=0.3)
    assert any(m is not None for m in mine)


def _unit_rows_reference(x: sp.csr_matrix) -> sp.csr_matrix:
    x = x.tocsr()
    x.data = 1.0 + np.log(x.data)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms).dot(x).tocsr()


def test_claim_vectors_are_bitwise_the_diagonal_product() -> None:
    texts = [fold(r["text"]) for r in load_items()[:200]] + ["", "a", "lũ lũ lũ"]
    for vectorizer in (claims_module._CHAR, claims_module._WORD):
        x = vectorizer.transform(texts)
        fast, slow = claims_module._unit_rows(x.copy()), _unit_rows_reference(x.copy())
        assert fast.dtype == slow.dtype and fast.shape == slow.shape
        np.testing.assert_array_equal(fast.indptr, slow.indptr)
        np.testing.assert_array_equal(fast.indices, slow.indices)  # same entry order: same float sums later
        np.testing.assert_array_equal(fast.data, slow.data)


def _char_wb(n_features: int, ngram_range: tuple[int, int]) -> HashingVectorizer:
    return HashingVectorizer(analyzer="char_wb", ngram_range=ngram_range, n_features=n_features, lowercase=False,
                             alternate_sign=False, norm=None, dtype=np.float32)


def _assert_same_csr(fast: sp.csr_matrix, slow: sp.csr_matrix) -> None:
    assert fast.shape == slow.shape and fast.dtype == slow.dtype
    np.testing.assert_array_equal(fast.indptr, slow.indptr)
    np.testing.assert_array_equal(fast.indices, slow.indices)
    np.testing.assert_array_equal(fast.data, slow.data)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab cđ\t\n\u00a0\u2003x1.ũ")), max_size=30), min_size=1,
                max_size=6))
def test_char_ngram_counter_is_scikit_learns_char_wb(texts: list[str]) -> None:
    counter = CharNgramCounter(2**12, (2, 5))
    _assert_same_csr(counter.transform(texts), _char_wb(2**12, (2, 5)).transform(texts))
    _assert_same_csr(counter.transform(texts), _char_wb(2**12, (2, 5)).transform(texts))  # from the cache


def test_batch_counts_equal_the_feature_specs_own(shipped: ShippedModels) -> None:
    texts = [join_title(str(r.get("title") or ""), r["text"]) for r in load_items()[:200]] + ["", "  \n "]
    explainer = BatchExplainer()
    specs = {shipped.get(task).spec for task in shipped.tasks}
    assert any(spec.char_features for spec in specs)
    for _round in range(2):
        cache: dict = {}
        for spec in specs:
            _assert_same_csr(explainer.counts(spec, texts, cache), spec.counts(texts))


def test_claim_char_counts_are_the_hashing_vectorizers() -> None:
    texts = [fold(r["text"]) for r in load_items()[:200]] + ["", "a b"]
    _assert_same_csr(claims_module._CHAR_COUNTER.transform(texts), claims_module._CHAR.transform(texts))


_REFERENCE_TEENCODE_RE = re.compile(
    r"(?<![\w.@/])(" + "|".join(map(re.escape, normalize_module._TEENCODE_VARIANTS)) + r")(?![\w@/]|\.\w)"
)
_REFERENCE_CASED_RE = re.compile(
    r"(?<=[^\W\d_] )(" + "|".join(normalize_module._TEENCODE_CASED) + r")(?= [^\W\d_]|[ ]?[,.!?]?$)"
)


def _reference_normalize(text: str, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patch:
        patch.setattr(normalize_module, "_TEENCODE_RE", _REFERENCE_TEENCODE_RE)
        patch.setattr(normalize_module, "_TEENCODE_CASED_RE", _REFERENCE_CASED_RE)
        return normalize_module.normalize(text)


def _labelled_texts() -> list[str]:
    texts = []
    for path in sorted((REPO / "nlp" / "labelled").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                texts.extend(str(record.get(key) or "") for key in ("title", "text"))
    return texts


def test_normalize_is_byte_identical_to_the_plain_alternations(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"{r.get('title') or ''}\n{r['text']}" for r in load_items()] + _labelled_texts()
    texts += ["ko bit j r, e k di dc ko? a k b", "Tp HCM, TP. Đà Nẵng, k.  vitamin A, 5 k, K+", "ok k. ĐI K"]
    assert len(texts) > 1000
    fast = [normalize_module.normalize(t) for t in texts]
    assert fast == [_reference_normalize(t, monkeypatch) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["ko", "k", "j", "r", "e", "a", "dc", "đc", "ng", "tp", "Ko", "KO", "hok", "bit", "đi",
                                 " ", ".", ",", "?", "@", "/", "x", "5", "A", "\n"]), max_size=25))
def test_teencode_patterns_match_the_plain_alternations(pieces: list[str]) -> None:
    line = "".join(pieces)
    assert normalize_module._TEENCODE_RE.sub(normalize_module._teencode, line) == _REFERENCE_TEENCODE_RE.sub(
        normalize_module._teencode, line
    )
    cased = normalize_module._TEENCODE_CASED
    assert normalize_module._TEENCODE_CASED_RE.sub(lambda m: cased[m.group(1)], line) == _REFERENCE_CASED_RE.sub(
        lambda m: cased[m.group(1)], line
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab cđ\t\n\u00a0x1.ũ-_")), max_size=30), min_size=1, max_size=6))
def test_word_ngram_counter_is_scikit_learns_word_hasher(texts: list[str]) -> None:
    counter = WordNgramCounter(2**10, r"(?u)\b\w+\b")
    reference = HashingVectorizer(n_features=2**10, ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", lowercase=False,
                                  alternate_sign=False, norm=None, dtype=np.float32)
    _assert_same_csr(counter.transform(texts), reference.transform(texts))
    _assert_same_csr(counter.transform(texts), reference.transform(texts))  # from the cache
