"""Offline language id and the cached segmenter."""

import pytest

from nlp.language import detect_language
from nlp.segment import Segmenter, segment_texts


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Mưa lũ ở Đại Lộc, người dân sơ tán", "vi"),
        ("mua lu o dai loc, nguoi dan khong the di lai", "vi"),
        ("bon theo dao toan lu cuong tin, duoi het ra khoi lang", "vi"),  # no function word: syllables decide
        ("ae oi ko dc di qua deo le trach nha", "vi"),
        ("Roads near the river were closed by the flood", "en"),
        ("Hochwasser schließt mehrere Straßen am Fluss", "und"),
        ("saya tidak tahu dimana rumahnya", "und"),
        ("The flood in Quang Nam was severe and the people are affected", "en"),
        ("洪水很严重，居民撤离", "und"),
        ("Наводнение в провинции", "und"),
        ("", "und"),
        ("12345 !!! ...", "und"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_segmenter_joins_words_and_caches_repeated_paragraphs() -> None:
    seg = Segmenter(cache_size=8)
    text = "Người dân Đại Lộc sơ tán.\n\nNgười dân Đại Lộc sơ tán."
    out = seg.segment(text)
    lines = out.split("\n")
    assert len(lines) == 2 and lines[0] == lines[1]
    assert "Người_dân" in lines[0] and "Đại_Lộc" in lines[0]
    assert (seg.misses, seg.hits) == (1, 1)
    assert seg.segment("") == ""


def test_segmenter_cache_is_bounded() -> None:
    seg = Segmenter(cache_size=2)
    for text in ["Một câu.", "Hai câu.", "Ba câu.", "Một câu."]:
        seg.segment(text)
    assert seg.misses == 4


def test_segment_texts_in_several_processes_keeps_order_and_output() -> None:
    texts = [f"Đội tuyển bóng đá Việt Nam thắng trận thứ {i}\nGiá cổ phiếu ngân hàng tăng" for i in range(9)]
    alone = segment_texts(texts)
    assert alone == [Segmenter().segment(t) for t in texts]
    assert "bóng_đá" in alone[0] and alone[0].endswith("cổ_phiếu ngân_hàng tăng")
    assert segment_texts(texts, workers=2) == alone
