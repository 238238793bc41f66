"""Sitemap sources: sitemap indexes followed, ``<lastmod>`` decides what is fetched again."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number

from crawlers.errors import UnsafeXML
from crawlers.feeds import screen_xml
from crawlers.spiders.articles import ArticleMixin

MAX_SITEMAP_DEPTH = 2
_PARSER = dict(recover=True, remove_comments=True, resolve_entities=False, no_network=True)


def read_sitemap(body: bytes) -> tuple[str, list[dict[str, str]]]:
    """The sitemap's type (``urlset`` / ``sitemapindex``) and its entries: ``loc``, ``lastmod`` (or, in a
    Google News sitemap, ``news:publication_date``). Entities are not resolved, the network not used."""
    root = etree.fromstring(body, parser=etree.XMLParser(**_PARSER))
    if root is None:
        return "", []
    kind = etree.QName(root).localname
    entries: list[dict[str, str]] = []
    for node in root:
        if not isinstance(node.tag, str) or etree.QName(node).localname not in ("url", "sitemap"):
            continue
        entry: dict[str, str] = {}
        for child in node.iter():
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            text = (child.text or "").strip()
            if name == "loc" and child.getparent() is node:
                entry["loc"] = text
            elif name == "lastmod" and text:
                entry["lastmod"] = text
            elif name == "publication_date" and text:
                entry.setdefault("published", text)
        if entry.get("loc"):
            entry.setdefault("lastmod", entry.get("published", ""))
            entries.append(entry)
    return kind, entries


class SitemapMixin(ArticleMixin):
    def sitemap_request(self, source_id: str, url: str, depth: int = 0) -> Request:
        return self.page_request(url, self.parse_sitemap, source_id=source_id, role="sitemap", depth=depth)

    def parse_sitemap(
        self, response: Response, source_id: str, depth: int, role: str, listed_url: str
    ) -> Iterator[Request]:
        source = self.sources[source_id]
        body = response.body
        max_size = int(self.settings.getint("DOWNLOAD_MAXSIZE"))  # type: ignore[attr-defined]
        try:
            if gzip_magic_number(response):
                body = gunzip(body, max_size=max_size)
            screen_xml(body)
        except (UnsafeXML, OSError, ValueError) as exc:
            self.source_error(source_id, response.url, str(exc))
            return
        try:
            kind, entries = read_sitemap(body)
        except etree.XMLSyntaxError as exc:
            self.source_error(source_id, response.url, str(exc))
            return
        if kind == "sitemapindex":
            if depth >= MAX_SITEMAP_DEPTH:
                return
            for entry in entries:
                yield self.sitemap_request(source_id, entry["loc"], depth + 1)
            return
        pattern = re.compile(source.article_pattern) if source.article_pattern else None
        if not entries and kind != "urlset":
            self.source_error(source_id, response.url, "not a sitemap")
            return
        entries.sort(key=lambda e: e.get("lastmod") or "", reverse=True)
        count = 0
        for entry in entries:
            loc = entry["loc"].strip()
            if pattern and not pattern.search(loc):
                continue
            if count >= source.max_articles:
                break
            count += 1
            request = self.article_request(source_id, loc, lastmod=(entry.get("lastmod") or None))
            if request is not None:
                yield request
