"""The crawl child's resolver answers only public or allow-listed addresses (no DNS rebinding window)."""

from __future__ import annotations

import pytest
from scrapy.resolver import dnscache
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawlers.resolver import PublicOnlyResolver
from crawlers.settings import build_settings


def _lookup(resolver: PublicOnlyResolver, name: str) -> str | Failure:
    results: list[str | Failure] = []
    resolver.getHostByName(name).addBoth(results.append)  # cache hits resolve synchronously
    return results[0]


@pytest.fixture
def resolver() -> PublicOnlyResolver:
    return PublicOnlyResolver(reactor=object(), cache_size=100, timeout=1.0, allow=["127.0.0.1", "feeds.internal"])


def test_private_answers_fail_the_lookup(resolver: PublicOnlyResolver) -> None:
    dnscache["rebind.test"] = "10.0.0.5"
    result = _lookup(resolver, "rebind.test")
    assert isinstance(result, Failure) and result.check(DNSLookupError)
    assert "10.0.0.5" in str(result.value)


def test_public_and_allow_listed_answers_pass(resolver: PublicOnlyResolver) -> None:
    dnscache["news.test"] = "93.184.216.34"
    dnscache["loop.test"] = "127.0.0.1"
    dnscache["feeds.internal"] = "192.168.1.20"
    assert _lookup(resolver, "news.test") == "93.184.216.34"
    assert _lookup(resolver, "loop.test") == "127.0.0.1"
    assert _lookup(resolver, "feeds.internal") == "192.168.1.20"  # allow-listed by host name
    with pytest.raises(DNSLookupError):
        resolver.refuse_non_public("169.254.169.254", "metadata.test")


def test_the_crawl_child_uses_it() -> None:
    assert build_settings({"SSRF_ALLOW": ["127.0.0.1"]})["DNS_RESOLVER"] == "crawlers.resolver.PublicOnlyResolver"
