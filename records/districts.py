"""The district-level units of Quảng Nam province (the names analysts, the sample site and synthetic data use)."""

from __future__ import annotations

DISTRICTS: tuple[str, ...] = (
    "Tam Kỳ",
    "Hội An",
    "Điện Bàn",
    "Đại Lộc",
    "Duy Xuyên",
    "Quế Sơn",
    "Nông Sơn",
    "Thăng Bình",
    "Hiệp Đức",
    "Tiên Phước",
    "Phú Ninh",
    "Núi Thành",
    "Bắc Trà My",
    "Nam Trà My",
    "Phước Sơn",
    "Nam Giang",
    "Đông Giang",
    "Tây Giang",
)
