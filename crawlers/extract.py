"""Article extraction: text, title, author as displayed, published time and language of a page.

trafilatura does the work (``favor_precision=True, include_comments=False``: the defaults keep
comments and widget text). The published time comes from the page's machine-readable metadata
(Open Graph, schema.org, ``<time datetime>``) because trafilatura keeps only the date. A source's
``extraction`` XPaths override a field only where the extractor fails on that site.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import Document

from crawlers.registry import Extraction

_VI_MARKS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\D+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?")
_META_TIME = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@name='pubdate']/@content",
    "//meta[@name='publishdate']/@content",
    "//meta[@name='date']/@content",
    "//*[@itemprop='datePublished']/@datetime",
    "//time[@datetime]/@datetime",
)
DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Article:
    title: str = ""
    text: str = ""
    author: str | None = None
    published_at: datetime | None = None
    language: str | None = None


def parse_time(value: str | None, *, tz: tzinfo = DEFAULT_TZ) -> datetime | None:
    """ISO 8601 or Vietnamese ``dd/mm/yyyy [HH:MM]``; a time without offset is local (``tz``). UTC out."""
    if not value:
        return None
    value = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        match = _DMY.search(value)
        if match:
            day, month, year, hour, minute, second = match.groups()
            try:
                parsed = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
            except ValueError:
                return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def guess_language(text: str, declared: str | None = None) -> str | None:
    """The page's declared language (``<html lang>``), else ``vi`` when Vietnamese letters are common."""
    if declared:
        return declared.split("-")[0].split("_")[0].lower() or None
    letters = sum(1 for ch in text[:5000] if ch.isalpha())
    if not letters:
        return None
    return "vi" if len(_VI_MARKS.findall(text[:5000])) / letters > 0.03 else None


def _xpath_text(tree: etree._Element, xpath: str | None) -> str | None:
    if not xpath:
        return None
    try:
        found = tree.xpath(xpath)
    except etree.XPathError:
        return None
    parts = []
    for node in found if isinstance(found, list) else [found]:
        text = node if isinstance(node, str) else " ".join(node.itertext())
        text = " ".join(str(text).split())
        if text:
            parts.append(text)
    return "\n".join(parts) or None


def _jsonld_time(tree: etree._Element) -> str | None:
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for node in data if isinstance(data, list) else [data]:
            if isinstance(node, dict) and isinstance(node.get("datePublished"), str):
                return node["datePublished"]
    return None


def extract_article(
    html: str, *, url: str, overrides: Extraction | None = None, tz: tzinfo = DEFAULT_TZ
) -> Article:
    """Extract one page. Empty ``text`` means nothing usable was found (the caller decides)."""
    overrides = overrides or Extraction()
    try:
        tree = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return Article()
    extracted = trafilatura.bare_extraction(
        tree, url=url, favor_precision=True, include_comments=False, with_metadata=True
    )
    doc = extracted if isinstance(extracted, Document) else None
    article = Article()
    if doc is not None:
        article.title = (doc.title or "").strip()
        article.text = (doc.text or "").strip()
        article.author = (doc.author or None) and doc.author.strip()
    article.title = _xpath_text(tree, overrides.title_xpath) or article.title
    if overrides.text_xpath:
        article.text = _xpath_text(tree, overrides.text_xpath) or article.text
    if not article.text:  # the extractor found nothing: fall back to the page's paragraphs
        article.text = _xpath_text(tree, "//article//p | //main//p") or ""
    article.author = _xpath_text(tree, overrides.author_xpath) or article.author
    if article.title and article.text.startswith(article.title + "\n"):
        article.text = article.text[len(article.title) + 1 :].lstrip()
    raw_time = _xpath_text(tree, overrides.published_xpath)
    if raw_time is None:
        for xpath in _META_TIME:
            values = tree.xpath(xpath)
            if values:
                raw_time = str(values[0])
                break
    raw_time = raw_time or _jsonld_time(tree) or (doc.date if doc is not None else None)
    article.published_at = parse_time(raw_time, tz=tz)
    lang = tree.xpath("string(/html/@lang)") or None
    article.language = guess_language(f"{article.title}\n{article.text}", lang)
    return article
