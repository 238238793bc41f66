"""Article pages: incremental request planning, the page callback and the error callback."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from crawlers.items import ArticleItem
from crawlers.middlewares import SSRFIgnored
from crawlers.registry import Source
from crawlers.textrepair import decode_html
from records.identity import canonical_url


def plan(state: dict[str, Any] | None, lastmod: str | None) -> str:
    """What to do with an article URL given its crawl state: ``fetch``, ``conditional`` or ``skip``.

    Never seen: fetch. Seen with the same lastmod: skip. Lastmod changed: fetch again (conditional if
    validators are known). No lastmod (listing links): conditional when validators exist, else skip."""
    if not state:
        return "fetch"
    has_validators = bool(state.get("etag") or state.get("last_modified"))
    if lastmod:
        if state.get("lastmod") == lastmod:
            return "skip"
        return "conditional" if has_validators else "fetch"
    return "conditional" if has_validators else "skip"


class ArticleMixin:
    """Builds article requests, turns responses into ``ArticleItem`` and failures into records."""

    sources: dict[str, Source]
    state: dict[str, dict[str, Any]]  # source id -> canonical URL -> article state
    out: TextIO
    queued: set[str]

    def emit(self, record: dict[str, Any]) -> None:
        self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self.out.flush()

    def source_error(self, source_id: str, url: str, reason: str) -> None:
        """Record that a sitemap or listing page of the source could not be used."""
        self.emit({"type": "source_error", "source_id": source_id, "url": url, "reason": reason})

    def page_request(
        self, url: str, callback: Callable[..., Any], *, source_id: str, role: str, **position: int
    ) -> Request:
        """The request for a sitemap or listing page (``role``); ``position`` (depth, page number) is passed
        to ``callback``. Its failures are recorded as source errors by ``on_error``."""
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            cb_kwargs={"source_id": source_id, **position, "role": role, "listed_url": url},
            dont_filter=True,
        )

    def article_request(
        self, source_id: str, url: str, *, lastmod: str | None = None, entry: dict[str, Any] | None = None
    ) -> Request | None:
        """The request for an article, or None (after emitting ``unchanged``) when it is not needed."""
        key = canonical_url(url)
        if key in self.queued:
            return None
        self.queued.add(key)
        known = self.state.get(source_id, {}).get(key)
        decision = plan(known, lastmod)
        if decision == "skip":
            self.emit({"type": "unchanged", "source_id": source_id, "url": url, "lastmod": lastmod})
            return None
        headers = {}
        if decision == "conditional" and known:
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
        return Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            headers=headers,
            meta={"handle_httpstatus_list": [304]},
            cb_kwargs={"source_id": source_id, "listed_url": url, "lastmod": lastmod, "entry": entry},
            # we deduplicate by canonical URL ourselves; Scrapy's filter would silently swallow a
            # redirect onto a page already requested, leaving a listed URL without any outcome
            dont_filter=True,
        )

    def parse_article(
        self,
        response: Response,
        source_id: str,
        listed_url: str,
        lastmod: str | None,
        entry: dict[str, Any] | None,
    ) -> Any:
        if response.status == 304:
            self.emit({"type": "unchanged", "source_id": source_id, "url": listed_url, "lastmod": lastmod})
            return
        if not isinstance(response, TextResponse):
            self.emit({"type": "failed", "source_id": source_id, "url": listed_url, "reason": "not an HTML page"})
            return
        source = self.sources[source_id]
        declared = source.encoding or http_content_type_encoding(
            (response.headers.get("Content-Type") or b"").decode("latin-1")
        ) or html_body_declared_encoding(response.body)
        yield ArticleItem(
            source_id=source_id,
            url=listed_url,
            final_url=response.url,
            method=str(source.method),
            status=response.status,
            lastmod=lastmod,
            etag=(response.headers.get("ETag") or b"").decode("latin-1") or None,
            last_modified=(response.headers.get("Last-Modified") or b"").decode("latin-1") or None,
            entry=entry,
            html=decode_html(response.body, declared),
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        source_id = request.cb_kwargs.get("source_id")
        url = request.cb_kwargs.get("listed_url") or request.url
        if isinstance(failure.value, HttpError):  # a subclass of IgnoreRequest, but a failure of the site
            kind, reason = "failed", f"HTTP {failure.value.response.status}"
        else:
            refused = failure.check(SSRFIgnored) or "robots.txt" in str(failure.value)
            kind = "refused" if refused else "failed"  # other IgnoreRequests: size caps and the like
            reason = f"{type(failure.value).__name__}: {failure.value}"
        record = {"type": kind, "source_id": source_id, "url": url, "reason": reason}
        if request.cb_kwargs.get("role"):  # a sitemap or listing page, not an article
            record["type"] = "source_error" if kind == "failed" else "refused"
            record["role"] = request.cb_kwargs["role"]
        self.emit(record)

