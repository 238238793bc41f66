"""Query parsing and folding helpers of store.fts."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from records.textfold import fold
from store.fts import fast_fold, folded_text, parse_text_query

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"


def test_fast_fold_equals_fold_on_the_vietnamese_alphabet() -> None:
    for text in (VIETNAMESE, VIETNAMESE.upper(), "Lũ lụt ở Đại Lộc, ĐÀ NẴNG!"):
        assert fast_fold(text) == fold(text)
        nfd = unicodedata.normalize("NFD", text)
        assert fast_fold(nfd) == fold(nfd)


@given(st.text(alphabet=st.sampled_from(VIETNAMESE + VIETNAMESE.upper() + ' .,-_0123456789"()*:')))
def test_fast_fold_equals_fold(text: str) -> None:
    assert fast_fold(text) == fold(text)


def test_words_and_phrases() -> None:
    q = parse_text_query('Lũ "lụt lớn" AND (Đại')
    assert q.exact == (("lũ",), ("lụt", "lớn"), ("and",), ("đại",))
    assert q.folded == (("lu",), ("lut", "lon"), ("and",), ("dai",))


def test_only_punctuation_is_empty() -> None:
    for text in ('"', "()", "*", ' " : - ', ""):
        assert parse_text_query(text).empty


def test_repeated_words_once() -> None:
    assert parse_text_query("lũ lũ LŨ").exact == (("lũ",),)


def test_folded_text_drops_d_stroke() -> None:
    assert folded_text("Đồng", "đường") == "dong\nduong"
