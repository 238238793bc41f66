"""The crawl child's DNS resolver: the address Scrapy connects to is the address that was checked.

``SSRFGuardMiddleware`` checks each request's URL before it is sent, but the download handler resolves
the host again; a DNS server answering differently the second time (rebinding) would otherwise reach a
private address. ``PublicOnlyResolver`` is that second resolution: it answers only public addresses, or
addresses allow-listed in ``SSRF_ALLOW``, and fails the lookup otherwise. IP literals never reach a
resolver; the middleware refuses non-public ones.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from crawlers.ssrf import is_permitted


class PublicOnlyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing answers that are not public or allow-listed."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, allow: Sequence[str]) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.allow = list(allow)

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), settings.getlist("SSRF_ALLOW"))

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self.refuse_non_public, name)

    def refuse_non_public(self, address: str, name: str) -> str:
        """``address`` when ``name`` may be contacted there; DNSLookupError (the request fails) otherwise."""
        if is_permitted(name, ipaddress.ip_address(address), self.allow):
            return address
        raise DNSLookupError(f"refused: {name} resolves to non-public address {address} (SSRF guard)")
