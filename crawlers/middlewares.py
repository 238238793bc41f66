"""Downloader middlewares and the extension of the crawl child: SSRF guard on every request (redirect
targets included, since a redirect is a new request), retries with exponential back-off, and a
record for every dropped item so that nothing is silently lost."""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater
from twisted.python.failure import Failure

from crawlers.errors import FetchError, SSRFRefused
from crawlers.ssrf import check_url


class SSRFIgnored(IgnoreRequest):
    """A request refused by the SSRF guard."""


class SSRFGuardMiddleware:
    """Refuses requests to non-public addresses unless allow-listed (``SSRF_ALLOW``)."""

    def __init__(self, allow: list[str]) -> None:
        self.allow = allow

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getlist("SSRF_ALLOW"))

    def process_request(self, request: Request) -> None:
        try:
            check_url(request.url, allow=self.allow)
        except (SSRFRefused, FetchError) as exc:
            raise SSRFIgnored(str(exc)) from exc


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, with the retried request marked to wait base * 2**(n-1) seconds first."""

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            base = self.crawler.settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
            retry.meta["backoff_delay"] = base * 2 ** (retry.meta.get("retry_times", 1) - 1)
        return retry


class BackoffDelayMiddleware:
    """Waits a retried request's back-off before it enters the download slot."""

    async def process_request(self, request: Request) -> None:
        delay = request.meta.pop("backoff_delay", 0)
        if delay:
            from twisted.internet import reactor  # imported here: importing it installs a reactor

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))


class EmitDroppedExtension:
    """Reports every item a pipeline dropped (with its reason) on the output stream."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Any) -> None:
        emit = getattr(spider, "emit", None)
        if emit is not None:
            emit(
                {
                    "type": "dropped",
                    "source_id": getattr(item, "source_id", None),
                    "url": getattr(item, "url", None),
                    "reason": str(exception),
                }
            )


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, safe when several requests wait for one robots.txt download.

    In Scrapy 2.19 on the asyncio reactor every waiter awaits the same pending Deferred through
    ``Deferred.asFuture``, whose callback returns None: the first waiter gets the parser, the others
    get None and are let through unchecked (a disallowed page was fetched in our tests). Each waiter
    here gets its own Deferred fed from the shared one, which keeps passing the parser along.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            mine: Deferred[RobotParser | None] = Deferred()

            def relay(result: Any) -> Any:
                mine.callback(None if isinstance(result, Failure) else result)
                return result

            pending.addBoth(relay)
            return await maybe_deferred_to_future(mine)
        return await super().robot_parser(request)
