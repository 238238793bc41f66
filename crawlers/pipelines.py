"""Item pipelines of the crawl child, one small step each (Scrapy ≥ 2.18 signature: ``process_item(item)``;
the crawler comes through ``from_crawler``): validate → extract → repair text → dedupe → emit.

Nothing is dropped silently: a drop raises ``DropItem(reason)``, which ``EmitDroppedExtension`` reports;
unreadable text is not dropped but marked for quarantine with its reason.
"""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.errors import TextRepairError
from crawlers.extract import extract_article
from crawlers.items import ArticleItem
from crawlers.registry import Source
from crawlers.textrepair import prepare_html, repair_text
from records.identity import canonical_url


class _CrawlerStep:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def source(self, item: ArticleItem) -> Source:
        return self.crawler.spider.sources[item.source_id]  # type: ignore[union-attr]


class ValidatePipeline(_CrawlerStep):
    """A page item needs a source, a URL, a 200 status and HTML."""

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if not item.source_id or not item.url or not item.final_url:
            raise DropItem(f"failed: item without source or URL: {item.url!r}")
        if item.status != 200:
            raise DropItem(f"failed: HTTP {item.status} for {item.url}")
        if not item.html:
            raise DropItem(f"failed: empty page {item.url}")
        return item


class ExtractPipeline(_CrawlerStep):
    """Text, title, author, published time and language with trafilatura (+ per-site overrides)."""

    def process_item(self, item: ArticleItem) -> ArticleItem:
        source = self.source(item)
        if not self.crawler.settings.getbool("MEDIAWATCH_EXTRACT", True):  # engine-throughput bench only
            item.title, item.text, item.html = item.url or "", (item.html or "")[:1000], None
            return item
        page = prepare_html(item.html or "")
        article = extract_article(page, url=item.final_url or item.url or "", overrides=source.extraction)
        entry = item.entry or {}
        item.title = article.title or entry.get("title") or ""
        item.text = article.text or entry.get("summary") or ""
        item.author = article.author or entry.get("author")
        published = article.published_at.isoformat() if article.published_at else None
        item.published_at = published or entry.get("published") or item.lastmod
        item.language = article.language or source.language
        if not item.text.strip():
            item.quarantine = "Không trích xuất được nội dung bài viết từ trang (trang rỗng hoặc bố cục lạ)"
            item.raw = (item.html or "")[:200_000]
        item.html = None
        return item


class RepairTextPipeline(_CrawlerStep):
    """NFC, entities, legacy encodings; unreadable text is marked for quarantine, not dropped."""

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.quarantine:
            return item
        try:
            title = repair_text(item.title or "", what="tiêu đề")
            text = repair_text(item.text or "", what="nội dung")
        except TextRepairError as exc:
            item.quarantine = str(exc)
            item.raw = f"{item.title}\n\n{item.text}"[:200_000]
            return item
        item.title, item.text = title.text, text.text
        item.fixes = list(dict.fromkeys([*title.fixes, *text.fixes]))
        if item.author:
            try:
                item.author = repair_text(item.author, what="tác giả").text
            except TextRepairError:
                item.author = None
        return item


class DedupePipeline(_CrawlerStep):
    """The same canonical URL twice in one run (listed by two pages, redirected): keep the first."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.seen: set[str] = set()

    def process_item(self, item: ArticleItem) -> ArticleItem:
        key = canonical_url(item.final_url or item.url or "")
        if key in self.seen:
            raise DropItem(f"duplicate: {key} already collected in this run")
        self.seen.add(key)
        return item


class EmitPipeline(_CrawlerStep):
    """Streams the item to the parent process as one JSON line."""

    def process_item(self, item: ArticleItem) -> ArticleItem:
        record = item.to_dict()
        record.pop("html", None)
        self.crawler.spider.emit({"type": "article", **record})  # type: ignore[union-attr]
        return item
