"""Article extraction: trafilatura fields, machine-readable published time, per-site overrides."""

from __future__ import annotations

from pathlib import Path

from crawlers.extract import extract_article, guess_language, parse_time
from crawlers.registry import Extraction

SITE = Path(__file__).resolve().parents[1] / "resources" / "crawlers" / "site"


def test_press_article_fields() -> None:
    html = (SITE / "bqn" / "lu-dai-loc-10001.html").read_text(encoding="utf-8")
    article = extract_article(html, url="https://baoquangnam.vn/lu-dai-loc-10001.html")
    assert article.title == "Nước lũ dâng cao ở Đại Lộc, hơn 200 hộ dân được sơ tán"
    assert article.author == "Lê Văn Minh" and article.language == "vi"
    assert article.published_at is not None and article.published_at.isoformat() == "2024-10-28T01:30:00+00:00"
    assert "sông Vu Gia" in article.text
    assert "Bản quyền" not in article.text and "Tin liên quan" not in article.text  # boilerplate left out


def test_portal_page_time_needs_an_override() -> None:
    html = (SITE / "portal" / "tin-tuc" / "thong-bao-xa-lu-20001.html").read_text(encoding="utf-8")
    plain = extract_article(html, url="https://quangnam.gov.vn/a.html")
    assert plain.published_at is not None and plain.published_at.isoformat() == "2024-10-27T17:00:00+00:00"
    overrides = Extraction(published_xpath="//span[@class='date']", text_xpath="//article/p[not(@class)]")
    fixed = extract_article(html, url="https://quangnam.gov.vn/a.html", overrides=overrides)
    assert fixed.published_at is not None and fixed.published_at.isoformat() == "2024-10-28T03:00:00+00:00"
    assert fixed.text.splitlines()[0].startswith("Công ty Thủy điện A Vương")
    assert len(fixed.text.splitlines()) == 3


def test_time_formats_and_language() -> None:
    assert parse_time("2024-10-28T08:30:00+07:00").isoformat() == "2024-10-28T01:30:00+00:00"
    assert parse_time("2024-10-28T01:30:00Z").isoformat() == "2024-10-28T01:30:00+00:00"
    assert parse_time("28/10/2024 10:00").isoformat() == "2024-10-28T03:00:00+00:00"
    assert parse_time("Thứ hai, 28/10/2024, 10h05").isoformat() == "2024-10-28T03:05:00+00:00"
    assert parse_time("31/02/2024") is None and parse_time("hôm qua") is None
    assert guess_language("Nước lũ dâng cao ở Đại Lộc") == "vi"
    assert guess_language("Flood waters rise in the district") is None
    assert guess_language("anything", "en-US") == "en"
