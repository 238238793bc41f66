"""Listing pages (an official portal's news list, a section page): article links followed, ``rel=next``
pages followed up to ``max_pages``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawlers.spiders.articles import ArticleMixin

_ARTICLE_GUESS = re.compile(r"(\.html?$|\.aspx$|/\d{5,}|-\d{5,})")
_NEXT_TEXT = re.compile(r"^\s*(trang sau|tiếp|sau|next|›|»|>)\s*$", re.I)


class ListingMixin(ArticleMixin):
    def listing_request(self, source_id: str, url: str, page: int = 1) -> Request:
        return self.page_request(url, self.parse_listing, source_id=source_id, role="listing", page=page)

    def parse_listing(
        self, response: Response, source_id: str, page: int, role: str, listed_url: str
    ) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self.source_error(source_id, response.url, "not HTML")
            return
        source = self.sources[source_id]
        host = urlsplit(response.url).hostname
        pattern = re.compile(source.article_pattern) if source.article_pattern else None
        count = 0
        for href in response.css("a::attr(href)").getall():
            url = urljoin(response.url, href.strip()).split("#", 1)[0]
            if urlsplit(url).hostname != host or url == response.url:
                continue
            path = urlsplit(url).path
            if not (pattern.search(url) if pattern else _ARTICLE_GUESS.search(path)):
                continue
            if count >= source.max_articles:
                break
            count += 1
            request = self.article_request(source_id, url)
            if request is not None:
                yield request
        if page < source.max_pages:
            next_href = response.css("a[rel~=next]::attr(href), link[rel~=next]::attr(href)").get()
            if next_href is None:
                for anchor in response.css("a"):
                    if _NEXT_TEXT.match(" ".join(anchor.css("::text").getall())):
                        next_href = anchor.attrib.get("href")
                        break
            if next_href:
                yield self.listing_request(source_id, urljoin(response.url, next_href), page + 1)
