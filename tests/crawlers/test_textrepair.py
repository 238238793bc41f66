"""Text repair on real Vietnamese strings in each legacy encoding (built from the Unicode text with
the reverse tables in tests/resources/crawlers/make_pages.py) and on clean text that must stay."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

from crawlers.errors import TextRepairError
from crawlers.textrepair import decode_html, foreign_chars, prepare_html, repair_text, syllable_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "resources" / "crawlers"))
from make_pages import to_cp1258, to_tcvn3, to_vni

SENTENCES = [
    "Tỉnh Quảng Nam thông báo về tình hình mưa lũ tại huyện Đại Lộc, người dân được sơ tán.",
    "Thủy điện Đăk Mi 4 xả lũ, vùng hạ du sông Vu Gia ngập sâu; đề nghị bà con không qua ngầm tràn.",
    "Hội An đón khách dịp cuối tuần, nhiều hoạt động văn hóa ở phố cổ được tổ chức trở lại.",
    "Ban chỉ huy phòng chống thiên tai yêu cầu các xã theo dõi mực nước, bảo đảm an toàn.",
]


def latin1_view(data: bytes) -> str:
    """What a Windows-1252 reader shows for these bytes (undefined bytes as C1 controls)."""
    return "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252") for b in data)


@pytest.mark.parametrize("sentence", SENTENCES)
@pytest.mark.parametrize(
    ("label", "encode"),
    [
        ("TCVN3", to_tcvn3),
        ("VNI", to_vni),
        ("Windows-1258", to_cp1258),
        ("UTF-8", lambda s: s.encode("utf-8")),
        ("UTF-8", lambda s: latin1_view(s.encode("utf-8")).encode("utf-8")),  # mojibake twice over
    ],
)
def test_legacy_encodings_are_converted_back(sentence: str, label: str, encode) -> None:
    garbled = latin1_view(encode(sentence))
    assert foreign_chars(garbled)
    repaired = repair_text(garbled)
    # TCVN3 has no codes for toned capitals (a capitals font reuses the lower-case codes)
    expected = (
        sentence
        if label != "TCVN3"
        else "".join(c.lower() if c not in "TQNĐHVB" and unicodedata.normalize("NFD", c) != c else c for c in sentence)
    )
    assert repaired.text == expected
    assert any(label in fix for fix in repaired.fixes)


def test_nfd_and_entities_are_normalised() -> None:
    nfd = unicodedata.normalize("NFD", SENTENCES[0])
    assert repair_text(nfd).text == SENTENCES[0]
    assert repair_text("Qu&#7843;ng Nam &amp; &quot;Đà Nẵng&quot;").text == 'Quảng Nam & "Đà Nẵng"'


@pytest.mark.parametrize(
    "clean",
    [
        "Café Müller ở Hội An © 2024",
        "Tin mới: Ông Nguyễn Văn Ba — “nóng” ở phố cổ · 30°C",
        "COVID-19: Bộ Y tế khuyến cáo người dân Tam Kỳ tiêm phòng",
        "Lò lửa ở làng gốm Thanh Hà",  # letters that are also TCVN3 codes, in genuine Unicode text
    ],
)
def test_clean_text_is_left_alone(clean: str) -> None:
    assert repair_text(clean).text == clean


def test_unreadable_text_is_refused_with_an_operator_reason() -> None:
    broken = SENTENCES[0].encode("utf-8").decode("ascii", errors="replace")
    with pytest.raises(TextRepairError) as err:
        repair_text(broken, what="nội dung")
    assert "bảng mã của nội dung" in str(err.value) and "TCVN3" in str(err.value)


def test_syllable_score_tells_vietnamese_from_garble() -> None:
    assert syllable_score(SENTENCES[1]) > 0.9
    assert syllable_score(latin1_view(to_vni(SENTENCES[1]))) < 0.6


def test_soft_hyphen_of_tcvn3_survives_html_processing() -> None:
    page = "<p>" + latin1_view(to_tcvn3(SENTENCES[0])) + "</p>"
    assert "\xad" in page
    assert "\xad" not in prepare_html(page) and "\u2212" in prepare_html(page)
    assert prepare_html("<p>co\xadoperation ở Hội An</p>") == "<p>co\xadoperation ở Hội An</p>"


def test_decode_html_prefers_declared_then_utf8_then_cp1252() -> None:
    text = "Quảng Nam"
    assert decode_html(text.encode("utf-8"), "utf-8") == text
    assert unicodedata.normalize("NFC", decode_html(to_cp1258(text), "windows-1258")) == text
    assert decode_html(b"Qu\xb6ng Nam", "utf-8") == "Qu¶ng Nam"  # invalid UTF-8: Windows-1252 view
    assert decode_html(text.encode("utf-8"), None) == text
