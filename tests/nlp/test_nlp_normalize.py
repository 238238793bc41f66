"""Normalisation: NFC, whitespace, emoji, punctuation, teencode and abbreviations; diacritics kept."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.normalize import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ko biết dc ko!!!!! 😡😡 mn ơi", "Không biết được không! mọi người ơi"),
        ("hok có đc đâu", "không có được đâu"),
        ("ng dân hỏi dk ko", "người dân hỏi được không"),
        ("H. Đại Lộc và TX Điện Bàn", "huyện Đại Lộc và thị xã Điện Bàn"),
        ("TP Tam Kỳ, x.Tam Thanh, p. Cẩm Phô", "thành phố Tam Kỳ, xã Tam Thanh, phường Cẩm Phô"),
        ("tt. Ái Nghĩa", "thị trấn Ái Nghĩa"),
        ("Q.Nam mưa lớn", "Quảng Nam mưa lớn"),
        ("ubnd  xã\u200b  Bình Dương", "UBND xã Bình Dương"),
        ("lũ quáaaaa....", "lũ quá..."),
        ("dòng 1\r\n\r\n\n  dòng 2  ", "dòng 1\ndòng 2"),
        ("đi đâu j", "đi đâu gì"),
    ],
)
def test_normalize_cases(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("text", ["Giá 5k, 5kg gạo", "Bệnh viện K", "vitamin A", "email a@b.com", "xoong nồi"])
def test_normalize_leaves_non_teencode_alone(text: str) -> None:
    assert normalize(text) == text


def test_normalize_keeps_diacritics_as_written_and_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Hoà Thuận và Hòa Hương, thuỷ điện")
    out = normalize(decomposed)
    assert out == "Hoà Thuận và Hòa Hương, thuỷ điện"
    assert unicodedata.is_normalized("NFC", out)
    assert normalize("lu lut o dai loc") == "lu lut o dai loc"


@given(st.text())
def test_normalize_is_idempotent_and_total(text: str) -> None:
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once
