"""The one spider of a crawl run: feed-linked articles, sitemaps and listing pages of many sources."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from typing import Any, TextIO

from scrapy import Request, Spider

from crawlers.registry import Method, Source
from crawlers.spiders.listing import ListingMixin
from crawlers.spiders.sitemap import SitemapMixin


class CollectSpider(SitemapMixin, ListingMixin, Spider):
    """Runs a job: ``{"sources": [{"source": {...}, "entries": [...], "state": {url: {...}}}]}``."""

    name = "collect"

    def __init__(self, job: dict[str, Any], out: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.out = out or sys.stdout
        self.sources: dict[str, Source] = {}
        self.state: dict[str, dict[str, Any]] = {}
        self.jobs = job.get("sources", [])
        self.queued: set[str] = set()
        for part in self.jobs:
            source = Source.model_validate(part["source"])
            self.sources[source.id] = source
            self.state[source.id] = part.get("state") or {}

    async def start(self) -> AsyncIterator[Request]:
        for part in self.jobs:
            source = self.sources[part["source"]["id"]]
            if source.method == Method.rss:
                for entry in part.get("entries", []):
                    lastmod = entry.get("updated") or entry.get("published")
                    request = self.article_request(source.id, entry["url"], lastmod=lastmod, entry=entry)
                    if request is not None:
                        yield request
            elif source.method == Method.sitemap:
                for url in source.all_urls:
                    yield self.sitemap_request(source.id, url)
            elif source.method == Method.listing:
                for url in source.all_urls:
                    yield self.listing_request(source.id, url)
